// maxpool on the GPU, element by element: the largest value of each window, per channel, as
// src/ops/maxpool.cpp computes it. Each window's gradient goes to its first maximum in row-major
// order, found again from the input (the output may be dropped); overlapping windows add up.
// Host-device, so that the CPU tests run these rules against the CPU kernel.
#pragma once

#include <cmath>
#include <cstdint>

#include "cuda/pool_windows.hpp"
#include "gpufm/dropout_mask.hpp"
#include "gpufm/host_device.hpp"

namespace gpufm::cuda {

struct MaxPooling {
  PoolWindows windows;

  // Output element i, before dropout: std::max from -infinity, as the CPU takes it, so a NaN is
  // never the maximum.
  GPUFM_HOST_DEVICE float output(const float* input, std::int64_t i) const {
    const NhwcElement at = windows.output_element(i);
    float largest = -INFINITY;
    windows.for_each_value(input, at, windows.window(at.h, at.w), [&](float x) { largest = largest < x ? x : largest; });
    return largest;
  }

  // Whether pixel `at`, of value x, is the first in the window, row by row, to hold its maximum
  // as output() takes it (the first value that is not NaN, then each larger one): x is not NaN,
  // every value before it is smaller and none after it is larger (a NaN is neither). A window of
  // NaNs has no maximum. Most pixels fail within a value or two.
  GPUFM_HOST_DEVICE bool is_first_maximum(const float* input, const NhwcElement& at, const PoolWindow& window, float x) const {
    if (x != x) return false;  // NaN; isnan is not one function on both host and device
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

  // Input element i's gradient: the masked gradients of the windows whose first maximum it is.
  GPUFM_HOST_DEVICE float input_gradient(const StepDropout& dropout, const float* input, const float* output_gradient,
                                         std::int64_t i) const {
    const NhwcElement at = windows.input_element(i);
    const float x = input[i];
    float sum = 0.0f;
    windows.for_each_window_over(at.h, at.w, [&](int oh, int ow) {
      if (is_first_maximum(input, at, windows.window(oh, ow), x)) {
        const std::int64_t o = windows.output_index(at.n, oh, ow, at.c);
        sum += dropout.apply(o, output_gradient[o]);
      }
    });
    return sum;
  }
};

}  // namespace gpufm::cuda
