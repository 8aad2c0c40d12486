#include "cuda/optimizer.hpp"

#include "cuda/check.hpp"
#include "cuda/launch.cuh"
#include "gpufm/optimizer_math.hpp"

namespace gpufm::cuda {

namespace {

__global__ void update_parameters(OptimizerScalars scalars, float* params, const float* gradients, float* state, std::int64_t first,
                                  std::int64_t count, const MetricSums* sums, std::int64_t step) {
  if (skips_step(sums, step)) return;
  GPUFM_GRID_STRIDE_LOOP(k, count - first) {
    const std::int64_t i = first + k;
    update_element(scalars, params[i], gradients[i], state, i, count);
  }
}

}  // namespace

void cuda_optimizer_step(cudaStream_t stream, const OptimizerStepArgs& args) {
  const OptimizerScalars scalars = optimizer_scalars(args.settings, args.lr, args.t);
  update_parameters<<<blocks_for(args.count - args.first), threads_per_block, 0, stream>>>(
      scalars, args.params, args.gradients, args.state, args.first, args.count, args.sums, args.step);
  GPUFM_CHECK_LAUNCH(update_parameters);
}

}  // namespace gpufm::cuda
