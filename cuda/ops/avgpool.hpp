// avgpool on the GPU, element by element: the mean of each window, per channel, as
// src/ops/avgpool.cpp computes it. A window divides by its pixels inside the image; in backward
// each window's gradient spreads evenly over those pixels and overlapping windows add up.
// Host-device, so that the CPU tests run these rules against the CPU kernel.
#pragma once

#include <cstdint>

#include "cuda/pool_windows.hpp"
#include "gpufm/dropout_mask.hpp"
#include "gpufm/host_device.hpp"

namespace gpufm::cuda {

struct AveragePooling {
  PoolWindows windows;

  // Output element i, before dropout.
  GPUFM_HOST_DEVICE float output(const float* input, std::int64_t i) const {
    const NhwcElement at = windows.output_element(i);
    const PoolWindow window = windows.window(at.h, at.w);
    float sum = 0.0f;
    windows.for_each_value(input, at, window, [&](float x) { sum += x; });
    return sum / static_cast<float>(window.pixels());
  }

  // Input element i's gradient: each covering window's (masked) gradient over its pixel count.
  // The input is not needed.
  GPUFM_HOST_DEVICE float input_gradient(const StepDropout& dropout, const float*, const float* output_gradient,
                                         std::int64_t i) const {
    const NhwcElement at = windows.input_element(i);
    float sum = 0.0f;
    windows.for_each_window_over(at.h, at.w, [&](int oh, int ow) {
      const std::int64_t o = windows.output_index(at.n, oh, ow, at.c);
      sum += dropout.apply(o, output_gradient[o]) / static_cast<float>(windows.window(oh, ow).pixels());
    });
    return sum;
  }
};

}  // namespace gpufm::cuda
