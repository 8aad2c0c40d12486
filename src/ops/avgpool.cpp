// avgpool: the mean of each window, per channel. With "same" padding a window divides by its
// pixels inside the image, as Keras does.
#include <algorithm>

#include "cpu/dropout.hpp"
#include "cpu/pool_windows.hpp"
#include "ops/window.hpp"

namespace gpufm {

namespace {

class AvgPoolKernel final : public LayerKernel {
 public:
  explicit AvgPoolKernel(const Layer& layer) : windows_(layer) {}

  void forward(const ForwardArgs& args) override {
    const std::int64_t channels = windows_.channels();
    windows_.for_each(args.batch, [&](const cpu::PoolWindow& window) {
      float* y = args.output + window.output_pixel * channels;
      std::fill_n(y, channels, 0.0f);
      for (std::int64_t i = 0; i < window.pixels(); ++i) {
        const float* x = args.input + window.input_pixel(i) * channels;
        for (std::int64_t c = 0; c < channels; ++c) y[c] += x[c];
      }
      const float count = static_cast<float>(window.pixels());
      for (std::int64_t c = 0; c < channels; ++c) y[c] /= count;
    });
    cpu::apply_dropout(args.dropout, args.output, args.output, args.batch * windows_.outputs());
  }

  // Each window's gradient spreads evenly over its pixels; overlapping windows add up.
  void backward(const BackwardArgs& args) override {
    if (args.input_gradient == nullptr) return;
    cpu::apply_dropout(args.dropout, args.output_gradient, args.output_gradient, args.batch * windows_.outputs());
    const std::int64_t channels = windows_.channels();
    windows_.zero_inputs(args.input_gradient, args.batch);
    windows_.for_each(args.batch, [&](const cpu::PoolWindow& window) {
      const float* dy = args.output_gradient + window.output_pixel * channels;
      const float count = static_cast<float>(window.pixels());
      for (std::int64_t i = 0; i < window.pixels(); ++i) {
        float* dx = args.input_gradient + window.input_pixel(i) * channels;
        for (std::int64_t c = 0; c < channels; ++c) dx[c] += dy[c] / count;
      }
    });
  }

 private:
  cpu::PoolWindows windows_;
};

}  // namespace

extern const OpDef avgpool_op = {
    .keyword = "avgpool",
    .display_name = "AveragePooling2D",
    .signature = pool_signature,
    .output_shape = [](const Attrs& attrs, const Shape& input) { return pool_output_shape("avgpool", attrs, input); },
    .params = no_params,
    .saved_for_backward = saves_nothing,
    .flops = [](const Attrs& attrs, const Shape&, const Shape& output) {
      const Size2 window = attrs.size2("size");  // a sum over each window, and its gradient spread back over it
      const auto window_work = static_cast<double>(output.elements() * window.h * window.w);
      return LayerFlops{.forward = window_work, .backward_params = 0, .backward_input = window_work};
    },
    .make_cpu_kernel = [](const Layer& layer) -> std::unique_ptr<LayerKernel> { return std::make_unique<AvgPoolKernel>(layer); },
    .applies_dropout_after = always_applies_dropout_after,
};

}  // namespace gpufm
