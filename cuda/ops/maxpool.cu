// maxpool on the GPU: the largest value of each window, per channel, as src/ops/maxpool.cpp
// does it. Each window's gradient goes to its first maximum in row-major order, found again from
// the input (the output may be dropped); overlapping windows add up.
#include <cmath>

#include "cuda/op_kernels.hpp"
#include "cuda/pool_windows.cuh"

namespace gpufm::cuda {

namespace {

__global__ void max_of_windows(PoolWindows windows, DropoutMask mask, const float* input, float* output, std::int64_t count) {
  const StepDropout dropout(mask);
  GPUFM_GRID_STRIDE_LOOP(i, count) {
    const PoolElement at = windows.output_element(i);
    const PoolWindow window = windows.window(at.h, at.w);
    float largest = -INFINITY;
    for (int h = window.top; h < window.bottom; ++h) {
      for (int w = window.left; w < window.right; ++w) {
        const float x = input[windows.input_index(at.n, h, w, at.c)];
        largest = largest < x ? x : largest;  // std::max, as the CPU takes it
      }
    }
    output[i] = dropout.apply(i, largest);
  }
}

// Whether pixel `at`, of value x, is the first in the window, row by row, to hold its maximum as
// forward takes it (the first value that is not NaN, then each larger one): x is not NaN, every
// value before it is smaller and none after it is larger (a NaN is neither). A window of NaNs has
// no maximum. Most pixels fail within a value or two.
__device__ bool is_first_maximum(const PoolWindows& windows, const float* input, const PoolElement& at, const PoolWindow& window,
                                 float x) {
  if (isnan(x)) return false;
  bool before = true;
  for (int h = window.top; h < window.bottom; ++h) {
    for (int w = window.left; w < window.right; ++w) {
      if (h == at.h && w == at.w) {
        before = false;
        continue;
      }
      const float value = input[windows.input_index(at.n, h, w, at.c)];
      if (before ? value >= x : value > x) return false;
    }
  }
  return true;
}

__global__ void gather_from_maxima(PoolWindows windows, DropoutMask mask, const float* input, const float* output_gradient,
                                   float* input_gradient, std::int64_t count) {
  const StepDropout dropout(mask);
  GPUFM_GRID_STRIDE_LOOP(i, count) {
    const PoolElement at = windows.input_element(i);
    const float x = input[i];
    float sum = 0.0f;
    windows.for_each_window_over(at.h, at.w, [&](int oh, int ow) {
      if (is_first_maximum(windows, input, at, windows.window(oh, ow), x)) {
        const std::int64_t o = windows.output_index(at.n, oh, ow, at.c);
        sum += dropout.apply(o, output_gradient[o]);
      }
    });
    input_gradient[i] = sum;
  }
}

}  // namespace

std::unique_ptr<LayerKernel> make_maxpool_kernel(const Layer& layer, CudaContext& context, const KernelSettings&) {
  return std::make_unique<PoolKernel<max_of_windows, gather_from_maxima>>(layer, context);
}

}  // namespace gpufm::cuda
