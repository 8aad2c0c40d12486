#include "cuda/dropout.hpp"

#include "cuda/check.hpp"
#include "cuda/launch.cuh"

namespace gpufm::cuda {

namespace {

// Element i's Philox word is the one the CPU draws for it, so both backends drop the same elements.
__global__ void drop_elements(DropoutMask mask, const float* from, float* to, std::int64_t count) {
  const StepDropout dropout(mask);
  GPUFM_GRID_STRIDE_LOOP(i, count) { to[i] = dropout.apply(i, from[i]); }
}

}  // namespace

void apply_dropout(cudaStream_t stream, const DropoutMask& mask, const float* from, float* to, std::int64_t count) {
  if (!mask.drops()) {
    if (to != from) GPUFM_CHECK(cudaMemcpyAsync(to, from, static_cast<std::size_t>(count) * sizeof(float), cudaMemcpyDeviceToDevice, stream));
    return;
  }
  drop_elements<<<blocks_for(count), threads_per_block, 0, stream>>>(mask, from, to, count);
  GPUFM_CHECK_LAUNCH(drop_elements);
}

}  // namespace gpufm::cuda
