// Inverted dropout over a tensor on the GPU (gpufm/dropout_mask.hpp), as src/cpu/dropout.hpp has
// it: the dropout layer's forward and backward, and the pass a layer that applies the dropout
// after it makes where its own kernels cannot take the mask (after a library's product).
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

#include "gpufm/dropout_mask.hpp"

namespace gpufm::cuda {

// to[i] = the mask applied to from[i], for i in [0, count); to may be from. A mask that does not
// drop copies.
void apply_dropout(cudaStream_t stream, const DropoutMask& mask, const float* from, float* to, std::int64_t count);

}  // namespace gpufm::cuda
