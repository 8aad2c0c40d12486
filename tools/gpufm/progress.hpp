// Keras' progress display: on a terminal a bar redrawn each step, otherwise one line per epoch;
// the learning rate when a schedule or a fine_tune phase changes it, a line when the fine_tune
// phase starts, and one when early stopping ends the run.
//   Epoch 3/10
//   422/422 [==============================] - 21s 50ms/step - loss: 0.2710 - accuracy: 0.9001 - val_loss: 0.2655 - val_accuracy: 0.9030
//   Epoch 21: fine-tuning every layer from here, a new adam at lr 0.0001
//   Epoch 3: early stopping
#pragma once

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>

#include "gpufm/trainer.hpp"

namespace gpufm::cli {

class Progress {
 public:
  Progress(std::ostream& out, bool terminal) : out_(out), terminal_(terminal) {}
  TrainingEvents events();
  // The model's train section: whether the learning rate changes, when fine-tuning starts.
  void follow(const TrainSettings& train);

 private:
  void epoch_begin(std::int64_t epoch, std::int64_t epochs);
  void step_end(std::int64_t step, std::int64_t steps);
  void epoch_end(const EpochRecord& record);

  std::ostream& out_;
  bool terminal_;
  bool show_learning_rate_ = false;
  std::int64_t fine_tuning_from_ = 0;  // the first epoch of the fine_tune phase; 0 for none
  std::string fine_tuning_line_;
  std::int64_t epoch_ = 0, epochs_ = 0, steps_ = 0;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace gpufm::cli
