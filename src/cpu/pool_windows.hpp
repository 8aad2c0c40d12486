// The windows of maxpool and avgpool on the CPU: which input pixels each output pixel covers.
// Padding is never read: a window is clipped to the image, so the maximum ignores the padding
// and the average divides by the pixels left, as Keras does.
#pragma once

#include <algorithm>
#include <cstdint>

#include "gpufm/graph.hpp"
#include "ops/window.hpp"

namespace gpufm::cpu {

// One output pixel's window; pixels are counted over the whole batch, (n * H + h) * W + w.
struct PoolWindow {
  std::int64_t output_pixel = 0;
  std::int64_t first_input_pixel = 0;  // the window's top-left pixel inside the image
  std::int64_t rows = 0, cols = 0;
  std::int64_t input_width = 0;

  std::int64_t pixels() const { return rows * cols; }
  // The i-th input pixel, row by row: the order that breaks ties between equal maxima.
  std::int64_t input_pixel(std::int64_t i) const { return first_input_pixel + (i / cols) * input_width + i % cols; }
};

class PoolWindows {
 public:
  explicit PoolWindows(const Layer& layer)
      : input_(layer.input),
        output_(layer.output),
        size_(layer.attrs.size2("size")),
        stride_(pool_stride(layer.attrs)),
        pad_top_(padding_before(input_.height(), size_.h, stride_.h, output_.height())),
        pad_left_(padding_before(input_.width(), size_.w, stride_.w, output_.width())) {}

  std::int64_t channels() const { return input_.channels(); }
  std::int64_t outputs() const { return output_.elements(); }  // a sample's

  // gradient (the batch's inputs) = 0, the samples in parallel as for_each splits them.
  void zero_inputs(float* gradient, std::int64_t batch) const {
    const std::int64_t elements = input_.elements();
#pragma omp parallel for schedule(static)
    for (std::int64_t n = 0; n < batch; ++n) std::fill_n(gradient + n * elements, elements, 0.0f);
  }

  // Calls visit(window) for every output pixel of the batch. Samples run in parallel and each
  // sample's windows in order on one thread, so scattering into one sample's input never races.
  template <class Visit>
  void for_each(std::int64_t batch, Visit visit) const {
    const std::int64_t in_h = input_.height(), in_w = input_.width(), out_h = output_.height(), out_w = output_.width();
#pragma omp parallel for schedule(static)
    for (std::int64_t n = 0; n < batch; ++n) {
      for (std::int64_t oh = 0; oh < out_h; ++oh) {
        const std::int64_t start_h = oh * stride_.h - pad_top_;
        const std::int64_t top = std::max<std::int64_t>(start_h, 0), bottom = std::min(start_h + size_.h, in_h);
        for (std::int64_t ow = 0; ow < out_w; ++ow) {
          const std::int64_t start_w = ow * stride_.w - pad_left_;
          const std::int64_t left = std::max<std::int64_t>(start_w, 0), right = std::min(start_w + size_.w, in_w);
          visit(PoolWindow{.output_pixel = (n * out_h + oh) * out_w + ow,
                           .first_input_pixel = (n * in_h + top) * in_w + left,
                           .rows = bottom - top,
                           .cols = right - left,
                           .input_width = in_w});
        }
      }
    }
  }

 private:
  Shape input_, output_;
  Size2 size_, stride_;
  std::int64_t pad_top_, pad_left_;
};

}  // namespace gpufm::cpu
