// upsample on the GPU, element by element: nearest-neighbour upsampling, each pixel repeated
// size_h x size_w times, as src/ops/upsample.cpp does it. Backward gathers, each input element
// summing its block row by row (each value masked first), so it needs no atomics and adds in the
// CPU's order. Host-device, so that the CPU tests run these rules against the CPU kernel.
#pragma once

#include <cstdint>

#include "cuda/nhwc_element.hpp"
#include "gpufm/dropout_mask.hpp"
#include "gpufm/graph.hpp"
#include "gpufm/host_device.hpp"

namespace gpufm::cuda {

// The input's sizes and the repeat factors, as plain numbers for the kernels.
struct Upsampling {
  int in_h = 0, in_w = 0, channels = 0, size_h = 0, size_w = 0;

  // Output element i, before dropout.
  GPUFM_HOST_DEVICE float output(const float* input, std::int64_t i) const {
    const NhwcElement at = nhwc_element(i, in_h * size_h, in_w * size_w, channels);
    return input[((at.n * in_h + at.h / size_h) * in_w + at.w / size_w) * channels + at.c];
  }

  // Input element i's gradient: the sum of its block's masked gradients. The input is not needed.
  GPUFM_HOST_DEVICE float input_gradient(const StepDropout& dropout, const float*, const float* output_gradient,
                                         std::int64_t i) const {
    const int out_h = in_h * size_h, out_w = in_w * size_w;
    const NhwcElement at = nhwc_element(i, in_h, in_w, channels);
    float sum = 0.0f;
    for (int r = 0; r < size_h; ++r) {
      const std::int64_t first = ((at.n * out_h + at.h * size_h + r) * out_w + at.w * size_w) * channels + at.c;
      for (int s = 0; s < size_w; ++s) {
        const std::int64_t o = first + static_cast<std::int64_t>(s) * channels;
        sum += dropout.apply(o, output_gradient[o]);
      }
    }
    return sum;
  }
};

inline Upsampling upsampling(const Layer& layer) {
  const Size2 size = layer.attrs.size2("size");
  return Upsampling{.in_h = static_cast<int>(layer.input.height()),
                    .in_w = static_cast<int>(layer.input.width()),
                    .channels = static_cast<int>(layer.input.channels()),
                    .size_h = static_cast<int>(size.h),
                    .size_w = static_cast<int>(size.w)};
}

}  // namespace gpufm::cuda
