// maxpool: the largest value of each window, per channel.
#include <algorithm>
#include <limits>

#include "cpu/dropout.hpp"
#include "cpu/pool_windows.hpp"
#include "ops/window.hpp"

namespace gpufm {

namespace {

class MaxPoolKernel final : public LayerKernel {
 public:
  explicit MaxPoolKernel(const Layer& layer) : windows_(layer) {}

  void forward(const ForwardArgs& args) override {
    const std::int64_t channels = windows_.channels();
    windows_.for_each(args.batch, [&](const cpu::PoolWindow& window) {
      float* y = args.output + window.output_pixel * channels;
      std::fill_n(y, channels, -std::numeric_limits<float>::infinity());
      for (std::int64_t i = 0; i < window.pixels(); ++i) {
        const float* x = args.input + window.input_pixel(i) * channels;
        for (std::int64_t c = 0; c < channels; ++c) y[c] = std::max(y[c], x[c]);
      }
    });
    cpu::apply_dropout(args.dropout, args.output, args.output, args.batch * windows_.outputs());
  }

  // Each window's gradient goes to its first maximum in window order, found again from the input
  // (the output may be dropped); overlapping windows add up.
  void backward(const BackwardArgs& args) override {
    if (args.input_gradient == nullptr) return;
    cpu::apply_dropout(args.dropout, args.output_gradient, args.output_gradient, args.batch * windows_.outputs());
    const std::int64_t channels = windows_.channels();
    windows_.zero_inputs(args.input_gradient, args.batch);
    windows_.for_each(args.batch, [&](const cpu::PoolWindow& window) {
      const float* dy = args.output_gradient + window.output_pixel * channels;
      // Channels a slice at a time, each slice's pixels in window order: the channel loop inside
      // reads the input contiguously and vectorizes.
      for (std::int64_t first_channel = 0; first_channel < channels; first_channel += channel_slice) {
        const std::int64_t slice = std::min(channel_slice, channels - first_channel);
        // forward's std::max from -infinity: the first value not NaN, then each larger one. A
        // window of NaNs has no maximum: its gradient goes nowhere.
        float largest[channel_slice];
        std::int32_t first_maximum[channel_slice];  // the window pixel's index; -1 for none yet
        std::fill_n(largest, slice, -std::numeric_limits<float>::infinity());
        std::fill_n(first_maximum, slice, -1);
        for (std::int32_t i = 0; i < window.pixels(); ++i) {
          const float* x = args.input + window.input_pixel(i) * channels + first_channel;
          for (std::int64_t c = 0; c < slice; ++c) {
            const bool larger = first_maximum[c] < 0 ? x[c] >= largest[c] : largest[c] < x[c];
            largest[c] = larger ? x[c] : largest[c];
            first_maximum[c] = larger ? i : first_maximum[c];
          }
        }
        for (std::int64_t c = 0; c < slice; ++c) {
          if (first_maximum[c] < 0) continue;
          args.input_gradient[window.input_pixel(first_maximum[c]) * channels + first_channel + c] += dy[first_channel + c];
        }
      }
    });
  }

 private:
  static constexpr std::int64_t channel_slice = 64;
  cpu::PoolWindows windows_;
};

}  // namespace

extern const OpDef maxpool_op = {
    .keyword = "maxpool",
    .display_name = "MaxPooling2D",
    .signature = pool_signature,
    .output_shape = [](const Attrs& attrs, const Shape& input) { return pool_output_shape("maxpool", attrs, input); },
    .params = no_params,
    // Backward routes each gradient to the window's maximum, found again from the input.
    .saved_for_backward = [](const Attrs&) { return SavedForBackward{.input = true, .output = false}; },
    .flops = [](const Attrs& attrs, const Shape&, const Shape& output) {
      const Size2 window = attrs.size2("size");  // a comparison per window element; backward routes each output's gradient
      return LayerFlops{.forward = static_cast<double>(output.elements() * window.h * window.w), .backward_params = 0,
                        .backward_input = static_cast<double>(output.elements())};
    },
    .make_cpu_kernel = [](const Layer& layer) -> std::unique_ptr<LayerKernel> { return std::make_unique<MaxPoolKernel>(layer); },
    .applies_dropout_after = always_applies_dropout_after,
};

}  // namespace gpufm
