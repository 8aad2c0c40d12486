// Keras' EarlyStopping, driven by each epoch's record: the best epoch by the monitored figure,
// and whether training stops. Without an early_stopping statement it still names the best epoch
// (by val_loss, or loss without validation: the run's best checkpoint) and never stops. Like the
// schedule, its state is a function of the history, so a resumed run replays it.
#pragma once

#include <cstdint>
#include <optional>

#include "gpufm/monitor.hpp"

namespace gpufm {

class EarlyStopping {
 public:
  explicit EarlyStopping(const TrainSettings& settings);

  void epoch_end(const EpochRecord& record);
  Monitor monitor() const { return monitor_; }
  // 0 before the first epoch; during start_from_epoch's warm-up, the latest.
  std::int64_t best_epoch() const { return best_epoch_; }
  bool stopped() const { return stopped_; }

 private:
  Monitor monitor_;
  BestValue best_;
  std::optional<std::int64_t> patience_;  // none: never stop
  std::optional<double> baseline_;
  std::int64_t start_from_epoch_ = 0;
  std::int64_t best_epoch_ = 0;
  std::int64_t wait_ = 0;  // epochs since the last improvement
  bool stopped_ = false;
};

}  // namespace gpufm
