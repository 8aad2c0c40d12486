#include "cuda/optimizer.hpp"

#include "cuda/check.hpp"
#include "cuda/launch.cuh"
#include "gpufm/optimizer_math.hpp"

namespace gpufm::cuda {

namespace {

__global__ void update_parameters(OptimizerStepArgs args) {
  if (skips_optimizer_step(args)) return;
  const OptimizerScalars scalars = applied_step_scalars(args);
  const float unscale = gradient_unscale(args.loss_scale);
  GPUFM_GRID_STRIDE_LOOP(k, args.count - args.first) {
    const std::int64_t i = args.first + k;
    update_element(scalars, args.params[i], args.gradients[i] * unscale, args.state, i, args.count);
  }
}

// One thread, after every block of update_parameters has read the overflow flag.
__global__ void finish_scaled_step_kernel(OptimizerStepArgs args) { finish_scaled_step(args); }

__global__ void find_overflow_kernel(OverflowCheckArgs args) {
  GPUFM_GRID_STRIDE_LOOP(k, args.count - args.first) {
    // Every thread that finds one writes the same 1: no atomics needed.
    if (!isfinite(args.gradients[args.first + k])) args.loss_scale->overflow = 1;
  }
}

}  // namespace

void cuda_optimizer_step(cudaStream_t stream, const OptimizerStepArgs& args) {
  update_parameters<<<blocks_for(args.count - args.first), threads_per_block, 0, stream>>>(args);
  GPUFM_CHECK_LAUNCH(update_parameters);
  if (args.loss_scale != nullptr) {
    finish_scaled_step_kernel<<<1, 1, 0, stream>>>(args);
    GPUFM_CHECK_LAUNCH(finish_scaled_step_kernel);
  }
}

void cuda_find_overflow(cudaStream_t stream, const OverflowCheckArgs& args) {
  find_overflow_kernel<<<blocks_for(args.count - args.first), threads_per_block, 0, stream>>>(args);
  GPUFM_CHECK_LAUNCH(find_overflow_kernel);
}

}  // namespace gpufm::cuda
