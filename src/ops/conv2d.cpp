// conv2d: a 2-D convolution over an NHWC image. The weight is stored (filters, kh, kw, in_c),
// the filter layout cuDNN uses for NHWC tensors.
#include "cpu/bias_activation.hpp"
#include "cpu/blas.hpp"
#include "cpu/im2col.hpp"
#include "gpufm/graph.hpp"
#include "ops/window.hpp"

namespace gpufm {

namespace {

Shape conv2d_output_shape(const Attrs& attrs, const Shape& input) {
  check_activation_settings(attrs);
  const Size2 out = window_output("conv2d", input, attrs.size2("kernel"), attrs.size2("stride"),
                                  attrs.choice("padding") == "same");
  return Shape{{out.h, out.w, attrs.integer("filters")}};
}

std::vector<ParamSpec> conv2d_params(const Attrs& attrs, const Shape& input) {
  return conv_params(attrs, attrs.integer("filters"), input.channels());
}

// im2col of the input times the filter, a group of images at a time; the output's rows are
// pixels, its columns filters.
class Conv2dKernel final : public LayerKernel {
 public:
  explicit Conv2dKernel(const Layer& layer)
      : geometry_(conv_geometry(layer.attrs, layer.input, layer.output.channels())),
        input_elements_(layer.input.elements()),
        output_elements_(layer.output.elements()),
        epilogue_(layer.attrs, layer.output.channels()) {}

  std::size_t workspace_bytes(std::int64_t batch) const override { return cpu::group_column_bytes(geometry_, batch); }

  void forward(const ForwardArgs& args) override {
    float* columns = reinterpret_cast<float*>(args.context->workspace.data());
    cpu::for_each_image_group(geometry_, args.batch, [&](std::int64_t first, std::int64_t images, cpu::Product) {
      cpu::im2col(geometry_, args.input + first * input_elements_, images, columns);
      cpu::filter_columns(geometry_, columns, args.params[0], images, args.output + first * output_elements_);
    });
    epilogue_.forward(args, args.batch * geometry_.positions(), geometry_.out_c);
  }

  void backward(const BackwardArgs& args) override {
    float* columns = reinterpret_cast<float*>(args.context->workspace.data());
    epilogue_.backward(args, args.batch * geometry_.positions(), geometry_.out_c);
    cpu::for_each_image_group(geometry_, args.batch, [&](std::int64_t first, std::int64_t images, cpu::Product gradient_into) {
      const float* dy = args.output_gradient + first * output_elements_;
      cpu::im2col(geometry_, args.input + first * input_elements_, images, columns);
      cpu::filter_gradient(geometry_, dy, columns, images, args.param_gradients[0], gradient_into);
      if (args.input_gradient != nullptr) {
        cpu::spread_to_columns(geometry_, dy, args.params[0], images, columns);
        cpu::col2im(geometry_, columns, images, args.input_gradient + first * input_elements_);
      }
    });
  }

 private:
  ConvGeometry geometry_;
  std::int64_t input_elements_, output_elements_;  // an image's
  cpu::BiasActivation epilogue_;
};

}  // namespace

extern const OpDef conv2d_op = {
    .keyword = "conv2d",
    .display_name = "Conv2D",
    .signature = conv_signature,
    .output_shape = conv2d_output_shape,
    .params = conv2d_params,
    .saved_for_backward = saves_input_and_activation_output,
    .flops = [](const Attrs& attrs, const Shape& input, const Shape& output) {
      const Size2 k = attrs.size2("kernel");  // each output element sums a kernel's window over the input's channels
      return weighted_layer_flops(output.elements() * k.h * k.w * input.channels(), output.elements());
    },
    .make_cpu_kernel = [](const Layer& layer) -> std::unique_ptr<LayerKernel> { return std::make_unique<Conv2dKernel>(layer); },
    .applies_dropout_after = applies_dropout_after_activation,
};

}  // namespace gpufm
