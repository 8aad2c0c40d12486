// Launch geometry for the element-wise kernels: blocks of 256 threads over n elements, with
// grid-stride loops so the grid never outgrows what a launch may have.
#pragma once

#include <algorithm>
#include <cstdint>

namespace gpufm::cuda {

inline constexpr int threads_per_block = 256;

inline unsigned blocks_for(std::int64_t n) {
  constexpr std::int64_t most_blocks = 1 << 16;
  return static_cast<unsigned>(std::clamp<std::int64_t>((n + threads_per_block - 1) / threads_per_block, 1, most_blocks));
}

// The loop over a thread's share of [0, n).
#define GPUFM_GRID_STRIDE_LOOP(i, n)                                                                     \
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < (n); \
       i += static_cast<std::int64_t>(blockDim.x) * gridDim.x)

}  // namespace gpufm::cuda
