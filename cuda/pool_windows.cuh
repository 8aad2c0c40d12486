// The windows of maxpool and avgpool on the GPU, as src/cpu/pool_windows.hpp has them on the
// CPU: which input pixels each output pixel covers, clipped to the image so that padding is
// never read. Forward visits one output pixel's window; backward gathers, one thread per input
// element visiting the windows that cover it in the order the CPU scatters them, so its sums
// need no atomics and come out as the CPU's.
#pragma once

#include <cstdint>

#include "cuda/check.hpp"
#include "cuda/context.hpp"
#include "cuda/launch.cuh"
#include "gpufm/dropout_mask.hpp"
#include "gpufm/graph.hpp"
#include "ops/window.hpp"

namespace gpufm::cuda {

// One spatial axis: window o starts at o * stride - pad_before and spans size positions, of
// which those in [0, length) are read.
struct WindowAxis {
  int length = 0, windows = 0, size = 0, stride = 0, pad_before = 0;

  __device__ int begin(int o) const { return max(o * stride - pad_before, 0); }
  __device__ int end(int o) const { return min(o * stride - pad_before + size, length); }

  // The windows that cover position i are first_over(i) to last_over(i), inclusive: those
  // with o * stride - pad_before <= i < o * stride - pad_before + size. None when first > last.
  __device__ int first_over(int i) const {
    const int reach = i + pad_before - size + 1;  // o * stride >= reach: a ceiling, never below 0
    return reach > 0 ? (reach + stride - 1) / stride : 0;
  }
  __device__ int last_over(int i) const { return min((i + pad_before) / stride, windows - 1); }
};

// Element (n, h, w, c) of an NHWC batch.
struct PoolElement {
  std::int64_t n;
  int h, w, c;
};

__device__ inline PoolElement element_at(std::int64_t i, int height, int width, int channels) {
  const std::int64_t pixel = i / channels;
  return {pixel / width / height, static_cast<int>(pixel / width % height), static_cast<int>(pixel % width),
          static_cast<int>(i % channels)};
}

// A window's input pixels: the rows [top, bottom) by the columns [left, right).
struct PoolWindow {
  int top, bottom, left, right;

  __device__ int pixels() const { return (bottom - top) * (right - left); }
};

// Plain numbers, passed to the kernels by value.
struct PoolWindows {
  WindowAxis rows, cols;  // along the height and along the width
  int channels = 0;

  __device__ PoolElement output_element(std::int64_t i) const { return element_at(i, rows.windows, cols.windows, channels); }
  __device__ PoolElement input_element(std::int64_t i) const { return element_at(i, rows.length, cols.length, channels); }

  __device__ std::int64_t input_index(std::int64_t n, int h, int w, int c) const {
    return ((n * rows.length + h) * cols.length + w) * channels + c;
  }
  __device__ std::int64_t output_index(std::int64_t n, int oh, int ow, int c) const {
    return ((n * rows.windows + oh) * cols.windows + ow) * channels + c;
  }

  __device__ PoolWindow window(int oh, int ow) const { return {rows.begin(oh), rows.end(oh), cols.begin(ow), cols.end(ow)}; }

  // Calls visit(oh, ow) for every window that covers input pixel (h, w), row by row: the order
  // in which the CPU adds their gradients.
  template <class Visit>
  __device__ void for_each_window_over(int h, int w, Visit visit) const {
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

// The kernels of a pooling: forward computes each output element from its window, then applies
// the dropout the layer applies, if any; backward gathers each input element's gradient from the
// windows over it, each window's gradient masked first.
using PoolForward = void (*)(PoolWindows windows, DropoutMask dropout, const float* input, float* output, std::int64_t count);
using PoolBackward = void (*)(PoolWindows windows, DropoutMask dropout, const float* input, const float* output_gradient,
                              float* input_gradient, std::int64_t count);

// A pooling layer on the GPU: one launch of each kernel, over the output elements forward and
// over the input elements backward.
template <PoolForward forward_kernel, PoolBackward backward_kernel>
class PoolKernel final : public LayerKernel {
 public:
  PoolKernel(const Layer& layer, const CudaContext& context)
      : stream_(context.stream()),
        windows_(pool_windows(layer)),
        input_elements_(layer.input.elements()),
        output_elements_(layer.output.elements()) {}

  void forward(const ForwardArgs& args) override {
    const std::int64_t count = args.batch * output_elements_;
    forward_kernel<<<blocks_for(count), threads_per_block, 0, stream_>>>(windows_, args.dropout, args.input, args.output, count);
    GPUFM_CHECK_LAUNCH(forward_kernel);
  }

  void backward(const BackwardArgs& args) override {
    if (args.input_gradient == nullptr) return;
    const std::int64_t count = args.batch * input_elements_;
    backward_kernel<<<blocks_for(count), threads_per_block, 0, stream_>>>(windows_, args.dropout, args.input, args.output_gradient,
                                                                          args.input_gradient, count);
    GPUFM_CHECK_LAUNCH(backward_kernel);
  }

 private:
  cudaStream_t stream_;
  PoolWindows windows_;
  std::int64_t input_elements_, output_elements_;
};

}  // namespace gpufm::cuda
