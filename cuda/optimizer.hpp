// The optimizer step on the GPU: one kernel over the flat parameter buffer, with the update rule
// the CPU uses (gpufm/optimizer_math.hpp) and the step's scalars computed once on the host; with
// fp16's loss scale, the overflow check before it and the scale's update after it.
#pragma once

#include <cuda_runtime_api.h>

#include "gpufm/backend.hpp"

namespace gpufm::cuda {

void cuda_optimizer_step(cudaStream_t stream, const OptimizerStepArgs& args);
void cuda_find_overflow(cudaStream_t stream, const OverflowCheckArgs& args);

}  // namespace gpufm::cuda
