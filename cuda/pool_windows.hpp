// The windows of maxpool and avgpool on the GPU, as src/cpu/pool_windows.hpp has them on the
// CPU: which input pixels each output pixel covers, clipped to the image so that padding is
// never read. Forward visits one output pixel's window; backward gathers, one thread per input
// element visiting the windows that cover it in the order the CPU scatters them, so its sums
// need no atomics and come out as the CPU's. Plain numbers with host-device rules: the kernels
// take them by value, and the CPU tests run the rules the GPU runs (tests/cuda/element_rules_test.cpp).
#pragma once

#include <cstdint>

#include "cuda/nhwc_element.hpp"
#include "gpufm/graph.hpp"
#include "gpufm/host_device.hpp"
#include "ops/window.hpp"

namespace gpufm::cuda {

// One spatial axis: window o starts at o * stride - pad_before and spans size positions, of
// which those in [0, length) are read.
struct WindowAxis {
  int length = 0, windows = 0, size = 0, stride = 0, pad_before = 0;

  GPUFM_HOST_DEVICE int begin(int o) const {
    const int start = o * stride - pad_before;
    return start > 0 ? start : 0;
  }
  GPUFM_HOST_DEVICE int end(int o) const {
    const int stop = o * stride - pad_before + size;
    return stop < length ? stop : length;
  }

  // The windows that cover position i are first_over(i) to last_over(i), inclusive: those
  // with o * stride - pad_before <= i < o * stride - pad_before + size. None when first > last.
  GPUFM_HOST_DEVICE int first_over(int i) const {
    const int reach = i + pad_before - size + 1;  // o * stride >= reach: a ceiling, never below 0
    return reach > 0 ? (reach + stride - 1) / stride : 0;
  }
  GPUFM_HOST_DEVICE int last_over(int i) const {
    const int last = (i + pad_before) / stride;
    return last < windows - 1 ? last : windows - 1;
  }
};

// A window's input pixels: the rows [top, bottom) by the columns [left, right).
struct PoolWindow {
  int top, bottom, left, right;

  GPUFM_HOST_DEVICE int pixels() const { return (bottom - top) * (right - left); }
};

struct PoolWindows {
  WindowAxis rows, cols;  // along the height and along the width
  int channels = 0;

  GPUFM_HOST_DEVICE NhwcElement output_element(std::int64_t i) const { return nhwc_element(i, rows.windows, cols.windows, channels); }
  GPUFM_HOST_DEVICE NhwcElement input_element(std::int64_t i) const { return nhwc_element(i, rows.length, cols.length, channels); }

  GPUFM_HOST_DEVICE std::int64_t input_index(std::int64_t n, int h, int w, int c) const {
    return ((n * rows.length + h) * cols.length + w) * channels + c;
  }
  GPUFM_HOST_DEVICE std::int64_t output_index(std::int64_t n, int oh, int ow, int c) const {
    return ((n * rows.windows + oh) * cols.windows + ow) * channels + c;
  }

  GPUFM_HOST_DEVICE PoolWindow window(int oh, int ow) const {
    return {rows.begin(oh), rows.end(oh), cols.begin(ow), cols.end(ow)};
  }

  // Calls visit(value) for each of the window's values in element at's sample and channel, row by
  // row.
  template <class Visit>
  GPUFM_HOST_DEVICE void for_each_value(const float* input, const NhwcElement& at, const PoolWindow& window, Visit visit) const {
    for (int h = window.top; h < window.bottom; ++h) {
      for (int w = window.left; w < window.right; ++w) visit(input[input_index(at.n, h, w, at.c)]);
    }
  }

  // Calls visit(oh, ow) for every window that covers input pixel (h, w), row by row: the order
  // in which the CPU adds their gradients.
  template <class Visit>
  GPUFM_HOST_DEVICE void for_each_window_over(int h, int w, Visit visit) const {
    const int last_row = rows.last_over(h), last_col = cols.last_over(w);
    for (int oh = rows.first_over(h); oh <= last_row; ++oh) {
      for (int ow = cols.first_over(w); ow <= last_col; ++ow) visit(oh, ow);
    }
  }
};

// The geometry of a maxpool or avgpool layer, with Keras' padding and the stride as the CPU
// takes them.
inline PoolWindows pool_windows(const Layer& layer) {
  const Size2 size = layer.attrs.size2("size"), stride = pool_stride(layer.attrs);
  const auto axis = [](std::int64_t length, std::int64_t windows, std::int64_t k, std::int64_t s) {
    return WindowAxis{.length = static_cast<int>(length),
                      .windows = static_cast<int>(windows),
                      .size = static_cast<int>(k),
                      .stride = static_cast<int>(s),
                      .pad_before = static_cast<int>(padding_before(length, k, s, windows))};
  };
  return PoolWindows{.rows = axis(layer.input.height(), layer.output.height(), size.h, stride.h),
                     .cols = axis(layer.input.width(), layer.output.width(), size.w, stride.w),
                     .channels = static_cast<int>(layer.input.channels())};
}

}  // namespace gpufm::cuda
