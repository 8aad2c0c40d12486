// Keras' progress display: on a terminal a bar redrawn each step, otherwise one line per epoch;
// the learning rate when a schedule changes it, and a line when early stopping ends the run.
//   Epoch 3/10
//   422/422 [==============================] - 21s 50ms/step - loss: 0.2710 - accuracy: 0.9001 - val_loss: 0.2655 - val_accuracy: 0.9030
//   Epoch 3: early stopping
#pragma once

#include <chrono>
#include <cstdint>
#include <ostream>

#include "gpufm/trainer.hpp"

namespace gpufm::cli {

class Progress {
 public:
  Progress(std::ostream& out, bool terminal) : out_(out), terminal_(terminal) {}
  TrainingEvents events();
  void show_learning_rate(bool show) { show_learning_rate_ = show; }

 private:
  void epoch_begin(std::int64_t epoch, std::int64_t epochs);
  void step_end(std::int64_t step, std::int64_t steps);
  void epoch_end(const EpochRecord& record);

  std::ostream& out_;
  bool terminal_;
  bool show_learning_rate_ = false;
  std::int64_t epoch_ = 0, epochs_ = 0, steps_ = 0;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace gpufm::cli
