#include "gpufm/schedule.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace gpufm {

LearningRateSchedule::LearningRateSchedule(const TrainSettings& settings)
    : base_lr_(settings.optimizer.lr),
      schedule_(settings.schedule),
      epochs_(settings.epochs),
      plateau_lr_(base_lr_),
      best_(schedule_.value_or(ScheduleSettings{}).monitor, schedule_.value_or(ScheduleSettings{}).min_delta) {}

double LearningRateSchedule::lr() const {
  if (!schedule_) return base_lr_;
  const ScheduleSettings& s = *schedule_;
  const auto done = static_cast<double>(epochs_done_);
  switch (s.kind) {
    case ScheduleKind::step: return base_lr_ * std::pow(s.factor, static_cast<double>(epochs_done_ / s.every));
    case ScheduleKind::exponential: return base_lr_ * std::pow(s.rate, done);
    case ScheduleKind::cosine:
      return s.min_lr + (base_lr_ - s.min_lr) * (1 + std::cos(std::numbers::pi * done / static_cast<double>(epochs_))) / 2;
    case ScheduleKind::plateau: return plateau_lr_;
  }
  return base_lr_;
}

void LearningRateSchedule::epoch_end(const EpochRecord& record) {
  ++epochs_done_;
  if (!schedule_ || schedule_->kind != ScheduleKind::plateau) return;
  // ReduceLROnPlateau.on_epoch_end: a cooldown after a reduction lets no epoch count towards
  // the patience, but an improvement still sets the best.
  const ScheduleSettings& s = *schedule_;
  if (cooldown_left_ > 0) {
    --cooldown_left_;
    wait_ = 0;
  }
  if (best_.improve(monitored_value(record, s.monitor))) {
    wait_ = 0;
    return;
  }
  if (cooldown_left_ > 0) return;
  if (++wait_ < s.patience || plateau_lr_ <= s.min_lr) return;  // patience left, or the floor reached
  plateau_lr_ = std::max(plateau_lr_ * s.factor, s.min_lr);
  cooldown_left_ = s.cooldown;
  wait_ = 0;
}

}  // namespace gpufm
