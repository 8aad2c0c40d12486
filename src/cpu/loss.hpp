// The loss on the CPU: a batch's loss and metrics, and the gradient that starts backward.
#pragma once

#include "gpufm/backend.hpp"

namespace gpufm::cpu {

// Keras' losses per sample, with probabilities clipped to [1e-7, 1 - 1e-7] as Keras clips them:
// crossentropy -log p[label]; mse the mean of (p - t)^2; bce the mean of
// -(t log p + (1 - t) log(1 - p)). The target t is the one-hot label or the input image.
// Adds to args.sums (when given) the losses, the samples and, for classifiers, the samples
// whose first largest output is the label (a training step's batch whose loss is not finite is
// recorded apart instead: record_nonfinite_step); counts (label, prediction) pairs into
// args.confusion (when given); writes the gradient of the batch-mean loss to
// args.output_gradient (when given).
void cpu_loss(const LossArgs& args);

}  // namespace gpufm::cpu
