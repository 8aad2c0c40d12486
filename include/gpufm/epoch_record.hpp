// One epoch's figures, as the trainer reports them and a run's history records them.
#pragma once

#include <cstdint>
#include <optional>

namespace gpufm {

struct EpochRecord {
  std::int64_t epoch = 0;  // 1-based
  double loss = 0;
  std::optional<double> accuracy;  // classifiers only
  std::optional<double> val_loss, val_accuracy;
  double lr = 0;
  double seconds = 0;  // training and validation
  std::int64_t samples = 0;  // trained on
  std::int64_t skipped_steps = 0;  // whose loss was not finite (TrainSettings::on_nan)
  std::int64_t overflow_steps = 0;  // fp16: skipped because their scaled gradients overflowed
  std::optional<double> loss_scale = std::nullopt;  // fp16: the loss scale at the epoch's end
  bool stopped_early = false;  // early stopping ended the run after this epoch
};

}  // namespace gpufm
