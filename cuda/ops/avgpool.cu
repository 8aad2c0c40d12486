// avgpool on the GPU: the mean of each window, per channel, as src/ops/avgpool.cpp does it. A
// window divides by its pixels inside the image; in backward each window's gradient spreads
// evenly over those pixels and overlapping windows add up.
#include "cuda/op_kernels.hpp"
#include "cuda/pool_windows.cuh"

namespace gpufm::cuda {

namespace {

__global__ void mean_of_windows(PoolWindows windows, DropoutMask mask, const float* input, float* output, std::int64_t count) {
  const StepDropout dropout(mask);
  GPUFM_GRID_STRIDE_LOOP(i, count) {
    const PoolElement at = windows.output_element(i);
    const PoolWindow window = windows.window(at.h, at.w);
    float sum = 0.0f;
    for (int h = window.top; h < window.bottom; ++h) {
      for (int w = window.left; w < window.right; ++w) sum += input[windows.input_index(at.n, h, w, at.c)];
    }
    output[i] = dropout.apply(i, sum / static_cast<float>(window.pixels()));
  }
}

// The input is not needed: each window's share is its (masked) gradient over its pixel count.
__global__ void gather_window_means(PoolWindows windows, DropoutMask mask, const float*, const float* output_gradient,
                                    float* input_gradient, std::int64_t count) {
  const StepDropout dropout(mask);
  GPUFM_GRID_STRIDE_LOOP(i, count) {
    const PoolElement at = windows.input_element(i);
    float sum = 0.0f;
    windows.for_each_window_over(at.h, at.w, [&](int oh, int ow) {
      const std::int64_t o = windows.output_index(at.n, oh, ow, at.c);
      sum += dropout.apply(o, output_gradient[o]) / static_cast<float>(windows.window(oh, ow).pixels());
    });
    input_gradient[i] = sum;
  }
}

}  // namespace

std::unique_ptr<LayerKernel> make_avgpool_kernel(const Layer& layer, CudaContext& context, const KernelSettings&) {
  return std::make_unique<PoolKernel<mean_of_windows, gather_window_means>>(layer, context);
}

}  // namespace gpufm::cuda
