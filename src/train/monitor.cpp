#include "gpufm/monitor.hpp"

#include <limits>

namespace gpufm {

double monitored_value(const EpochRecord& record, Monitor monitor) {
  switch (monitor) {
    case Monitor::val_loss: return record.val_loss.value();
    case Monitor::val_accuracy: return record.val_accuracy.value();
    case Monitor::loss: return record.loss;
    case Monitor::accuracy: return record.accuracy.value();
  }
  return record.loss;
}

bool higher_is_better(Monitor monitor) { return monitor == Monitor::accuracy || monitor == Monitor::val_accuracy; }

BestValue::BestValue(Monitor monitor, double min_delta)
    : higher_is_better_(higher_is_better(monitor)),
      min_delta_(min_delta),
      best_(higher_is_better_ ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity()) {}

bool BestValue::improves_on(double value, double reference) const {
  return higher_is_better_ ? value > reference + min_delta_ : value < reference - min_delta_;
}

bool BestValue::improve(double value) {
  const bool better = improves_on(value, best_);
  if (better) best_ = value;
  return better;
}

}  // namespace gpufm
