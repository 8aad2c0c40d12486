#include "gpufm/early_stopping.hpp"

namespace gpufm {

namespace {

// Without early stopping, the best epoch is the one with the lowest val_loss (loss without
// validation), as the best checkpoint has always been chosen.
EarlyStoppingSettings watched(const TrainSettings& settings) {
  if (settings.early_stopping) return *settings.early_stopping;
  EarlyStoppingSettings best_checkpoint;
  best_checkpoint.monitor = settings.has_validation() ? Monitor::val_loss : Monitor::loss;
  return best_checkpoint;
}

}  // namespace

EarlyStopping::EarlyStopping(const TrainSettings& settings)
    : monitor_(watched(settings).monitor), best_(monitor_, watched(settings).min_delta) {
  if (settings.early_stopping) {
    patience_ = settings.early_stopping->patience;
    baseline_ = settings.early_stopping->baseline;
    start_from_epoch_ = settings.early_stopping->start_from_epoch;
  }
}

void EarlyStopping::epoch_end(const EpochRecord& record) {
  // Keras' warm-up judges no epoch: the first judged one improves on none, and becomes the best.
  if (record.epoch <= start_from_epoch_) {
    best_epoch_ = record.epoch;
    return;
  }
  // EarlyStopping.on_epoch_end: the first epoch is the best until one improves on it, and the
  // first epoch never stops training.
  if (best_epoch_ == 0) best_epoch_ = record.epoch;
  ++wait_;
  const double value = monitored_value(record, monitor_);
  if (best_.improve(value)) {
    best_epoch_ = record.epoch;
    // Keras: the wait restarts only past the baseline too, and an improving epoch never stops.
    if (!baseline_ || best_.improves_on(value, *baseline_)) wait_ = 0;
    return;
  }
  if (patience_ && wait_ >= *patience_ && record.epoch > 1) stopped_ = true;
}

}  // namespace gpufm
