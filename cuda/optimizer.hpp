// The optimizer step on the GPU: one kernel over the flat parameter buffer, with the update rule
// the CPU uses (gpufm/optimizer_math.hpp) and the step's scalars computed once on the host.
#pragma once

#include <cuda_runtime_api.h>

#include "gpufm/backend.hpp"

namespace gpufm::cuda {

void cuda_optimizer_step(cudaStream_t stream, const OptimizerStepArgs& args);

}  // namespace gpufm::cuda
