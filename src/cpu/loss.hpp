// The loss on the CPU: a batch's loss and metrics, and the gradient that starts backward.
#pragma once

#include "gpufm/backend.hpp"

namespace gpufm::cpu {

// Keras' losses per sample, by the rules of gpufm/loss_math.hpp, each sample's terms added in
// order. Adds to args.sums (when given) the losses, the samples and, for classifiers, the samples
// whose first largest output is the label (a training step's batch whose loss is not finite is
// recorded apart instead: record_nonfinite_step); counts (label, prediction) pairs into
// args.confusion (when given); writes the gradient of the batch-mean loss to
// args.output_gradient (when given).
void cpu_loss(const LossArgs& args);

}  // namespace gpufm::cpu
