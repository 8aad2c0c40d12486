// The learning rate of each epoch under the train section's schedule (train_settings.hpp has
// the formulas). Step, exponential and cosine depend on the epoch alone; plateau, Keras'
// ReduceLROnPlateau, also on the monitored figure at each epoch's end. Nothing else feeds it,
// so replaying a run's history rebuilds its state exactly.
#pragma once

#include <cstdint>
#include <optional>

#include "gpufm/monitor.hpp"

namespace gpufm {

class LearningRateSchedule {
 public:
  explicit LearningRateSchedule(const TrainSettings& settings);

  double lr() const;  // the coming epoch's
  void epoch_end(const EpochRecord& record);

 private:
  double base_lr_;  // the optimizer's
  std::optional<ScheduleSettings> schedule_;
  std::int64_t epochs_;  // the run's, over which cosine decays
  std::int64_t epochs_done_ = 0;
  // Plateau's state, as ReduceLROnPlateau's; the other schedules leave it alone.
  double plateau_lr_;
  BestValue best_;
  std::int64_t wait_ = 0, cooldown_left_ = 0;
};

}  // namespace gpufm
