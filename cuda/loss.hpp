// The loss on the GPU, as the CPU computes it (src/cpu/loss.cpp): per-sample losses, correct
// predictions and confusion counts added to sums in device memory, and the gradient of the
// batch-mean loss. Sums are added in a fixed order, so they are the same from run to run.
#pragma once

#include <cuda_runtime_api.h>

#include "gpufm/backend.hpp"

namespace gpufm::cuda {

void cuda_loss(cudaStream_t stream, const LossArgs& args);

}  // namespace gpufm::cuda
