// The loss on the GPU, as the CPU computes it (src/cpu/loss.cpp): per-sample losses, correct
// predictions and confusion counts added to sums in device memory, and the gradient of the
// batch-mean loss. Sums are added in a fixed order, so they are the same from run to run.
#pragma once

#include <cuda_runtime_api.h>

#include "cuda/context.hpp"
#include "gpufm/backend.hpp"

namespace gpufm::cuda {

// Where the blocks that add a batch to the sums leave their shares, and count themselves, for the
// last of them to add up: a backend's, made once (its losses are queued on one stream, one at a
// time).
struct LossScratch {
  explicit LossScratch(CudaContext& context);
  DeviceBuffer block_shares;  // two doubles a block: loss, correct
  DeviceBuffer blocks_done;   // one count, zeroed by allocate and left at zero by each launch
};

void cuda_loss(cudaStream_t stream, const LossArgs& args, LossScratch& scratch);

}  // namespace gpufm::cuda
