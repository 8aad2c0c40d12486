// What a plateau schedule and early stopping watch: one figure of each epoch's record, and the
// best value it has reached, compared as Keras' callbacks compare them.
#pragma once

#include "gpufm/epoch_record.hpp"
#include "gpufm/train_settings.hpp"

namespace gpufm {

// The monitored figure of an epoch; the train section's checks make sure the record has it.
double monitored_value(const EpochRecord& record, Monitor monitor);

// Accuracies improve upwards, losses downwards.
bool higher_is_better(Monitor monitor);

// The best value so far. A value improves on it by being lower by more than min_delta for a
// loss, higher by more than min_delta for an accuracy; before the first, any value but NaN does.
class BestValue {
 public:
  BestValue(Monitor monitor, double min_delta);
  // Keeps `value` when it improves on the best; says whether it did.
  bool improve(double value);
  // Whether `value` improves on `reference` as improve() judges it against the best.
  bool improves_on(double value, double reference) const;

 private:
  bool higher_is_better_;
  double min_delta_;
  double best_;
};

}  // namespace gpufm
