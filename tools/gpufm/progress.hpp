// Keras' progress display: on a terminal a bar redrawn as steps end (Keras' verbose=1), with the
// epoch's running loss and accuracy as far as the backend has got, otherwise one line when the
// epoch ends (verbose=2); the learning rate when a schedule or a fine_tune phase changes it, a line
// when the fine_tune phase starts, and one when early stopping ends the run.
//   Epoch 3/10
//   123/422 [=======>......................] - ETA: 14s - loss: 0.2791 - accuracy: 0.8968
//   422/422 [==============================] - 21s 50ms/step - loss: 0.2710 - accuracy: 0.9001 - val_loss: 0.2655 - val_accuracy: 0.9030
//   Epoch 21: fine-tuning every layer from here, a new adam at lr 0.0001
//   Epoch 21/30
//   422/422 - 21s - loss: 0.2710 - accuracy: 0.9001 - val_loss: 0.2655 - val_accuracy: 0.9030 - lr: 1.0000e-04 - 21s/epoch - 50ms/step
//   Epoch 22: early stopping
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
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
  void step_end(std::int64_t step, std::int64_t steps, const EpochSoFar& so_far);
  void epoch_end(const EpochRecord& record);
  // Writes line over the one drawn before on the terminal, blanking what it leaves of a longer one.
  void redraw(const std::string& line);
  // The epoch's time per step up to `now`, when its steps up to `step` have ended.
  double seconds_per_step(std::chrono::steady_clock::time_point now, std::int64_t step) const;

  std::ostream& out_;
  bool terminal_;
  bool show_learning_rate_ = false;
  bool classifier_ = false;
  std::int64_t fine_tuning_from_ = 0;  // the first epoch of the fine_tune phase; 0 for none
  std::string fine_tuning_line_;
  std::int64_t steps_ = 0;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_draw_;
  struct StepEnd {
    std::int64_t step;
    std::chrono::steady_clock::time_point time;
  };
  std::optional<StepEnd> first_step_;  // the epoch's first step in this process (a resumed run's may be past 1)
  std::size_t drawn_width_ = 0;        // of the line on the terminal
};

}  // namespace gpufm::cli
