// upsample: nearest-neighbour upsampling, each pixel repeated size.h x size.w times.
#include <algorithm>

#include "cpu/dropout.hpp"
#include "gpufm/graph.hpp"
#include "gpufm/op.hpp"

namespace gpufm {

namespace {

constexpr ArgSpec upsample_signature[] = {
    {.name = "size", .kind = ArgKind::size2, .default_value = "2", .min = 1, .max = max_layer_size},
};

Shape upsample_output_shape(const Attrs& attrs, const Shape& input) {
  expect_image("upsample", input);
  const Size2 size = attrs.size2("size");
  return Shape{{input.height() * size.h, input.width() * size.w, input.channels()}};
}

class UpsampleKernel final : public LayerKernel {
 public:
  explicit UpsampleKernel(const Layer& layer)
      : input_(layer.input), size_(layer.attrs.size2("size")), output_elements_(layer.output.elements()) {}

  void forward(const ForwardArgs& args) override {
    const std::int64_t in_h = input_.height(), in_w = input_.width(), channels = input_.channels();
    const std::int64_t out_h = in_h * size_.h, out_w = in_w * size_.w;
#pragma omp parallel for schedule(static)
    for (std::int64_t row = 0; row < args.batch * out_h; ++row) {
      const std::int64_t n = row / out_h, oh = row % out_h;
      const float* x = args.input + (n * in_h + oh / size_.h) * in_w * channels;
      float* y = args.output + row * out_w * channels;
      for (std::int64_t ow = 0; ow < out_w; ++ow) std::copy_n(x + (ow / size_.w) * channels, channels, y + ow * channels);
    }
    cpu::apply_dropout(args.dropout, args.output, args.output, args.batch * output_elements_);
  }

  // Each input pixel was copied to a size.h x size.w block: its gradient is the block's sum.
  void backward(const BackwardArgs& args) override {
    if (args.input_gradient == nullptr) return;
    const std::int64_t in_h = input_.height(), in_w = input_.width(), channels = input_.channels();
    const std::int64_t out_w = in_w * size_.w;
    cpu::apply_dropout(args.dropout, args.output_gradient, args.output_gradient, args.batch * output_elements_);
#pragma omp parallel for schedule(static)
    for (std::int64_t row = 0; row < args.batch * in_h; ++row) {
      const float* dy = args.output_gradient + row * size_.h * out_w * channels;
      float* dx = args.input_gradient + row * in_w * channels;
      std::fill_n(dx, in_w * channels, 0.0f);
      for (std::int64_t r = 0; r < size_.h; ++r) {
        for (std::int64_t ow = 0; ow < out_w; ++ow) {
          const float* from = dy + (r * out_w + ow) * channels;
          float* to = dx + (ow / size_.w) * channels;
          for (std::int64_t c = 0; c < channels; ++c) to[c] += from[c];
        }
      }
    }
  }

 private:
  Shape input_;
  Size2 size_;
  std::int64_t output_elements_;  // a sample's
};

}  // namespace

extern const OpDef upsample_op = {
    .keyword = "upsample",
    .display_name = "UpSampling2D",
    .signature = upsample_signature,
    .output_shape = upsample_output_shape,
    .params = no_params,
    .saved_for_backward = saves_nothing,
    // Forward copies; backward sums each input's copies.
    .flops = [](const Attrs&, const Shape&, const Shape& output) { return per_element_flops(output, 0, 1); },
    .make_cpu_kernel = [](const Layer& layer) -> std::unique_ptr<LayerKernel> { return std::make_unique<UpsampleKernel>(layer); },
    .applies_dropout_after = always_applies_dropout_after,
};

}  // namespace gpufm
