#include "gpufm/early_stopping.hpp"

namespace gpufm {

namespace {

// Without early stopping, the best epoch is the one with the lowest val_loss (loss without
// validation), as the best checkpoint has always been chosen.
EarlyStoppingSettings watched(const TrainSettings& settings) {
  return settings.early_stopping.value_or(EarlyStoppingSettings{.monitor = settings.has_validation() ? Monitor::val_loss : Monitor::loss});
}

}  // namespace

EarlyStopping::EarlyStopping(const TrainSettings& settings)
    : monitor_(watched(settings).monitor), best_(monitor_, watched(settings).min_delta) {
  if (settings.early_stopping) patience_ = settings.early_stopping->patience;
}

void EarlyStopping::epoch_end(const EpochRecord& record) {
  // EarlyStopping.on_epoch_end: the first epoch is the best until one improves on it, and the
  // first epoch never stops training.
  if (best_epoch_ == 0) best_epoch_ = record.epoch;
  ++wait_;
  if (best_.improve(monitored_value(record, monitor_))) {
    best_epoch_ = record.epoch;
    wait_ = 0;
    return;
  }
  if (patience_ && wait_ >= *patience_ && record.epoch > 1) stopped_ = true;
}

}  // namespace gpufm
