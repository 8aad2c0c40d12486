// conv2d_transpose: the gradient of a convolution used as a layer (an upsampling convolution).
// The weight is stored (in_c, kh, kw, filters): the filter of the convolution it transposes.
#include <algorithm>

#include "cpu/bias_activation.hpp"
#include "cpu/blas.hpp"
#include "cpu/im2col.hpp"
#include "gpufm/graph.hpp"
#include "ops/window.hpp"

namespace gpufm {

namespace {

// Keras' rule (deconv_output_length): "valid" gives in * s + max(k - s, 0), which is
// (in - 1) * s + k when the kernel is at least the stride; "same" gives in * s.
std::int64_t transposed_length(std::int64_t in, std::int64_t k, std::int64_t s, bool same) {
  return same ? in * s : in * s + std::max<std::int64_t>(k - s, 0);
}

Shape conv2d_transpose_output_shape(const Attrs& attrs, const Shape& input) {
  expect_image("conv2d_transpose", input);
  check_activation_settings(attrs);
  const Size2 k = attrs.size2("kernel"), s = attrs.size2("stride");
  const bool same = attrs.choice("padding") == "same";
  return Shape{{transposed_length(input.height(), k.h, s.h, same), transposed_length(input.width(), k.w, s.w, same),
                attrs.integer("filters")}};
}

std::vector<ParamSpec> conv2d_transpose_params(const Attrs& attrs, const Shape& input) {
  return conv_params(attrs, input.channels(), attrs.integer("filters"));
}

// The backward-data of the conv2d whose input has this layer's output shape (same kernel,
// stride and padding rule) and whose filter is this layer's weight: forward spreads the input
// into columns and col2im adds them up; backward-data is that conv2d's forward.
class Conv2dTransposeKernel final : public LayerKernel {
 public:
  explicit Conv2dTransposeKernel(const Layer& layer)
      : geometry_(conv_geometry(layer.attrs, layer.output, layer.input.channels())),
        input_elements_(layer.input.elements()),
        output_elements_(layer.output.elements()),
        epilogue_(layer.attrs, layer.output.channels()) {}

  std::size_t workspace_bytes(std::int64_t batch) const override { return cpu::group_column_bytes(geometry_, batch); }

  void forward(const ForwardArgs& args) override {
    float* columns = reinterpret_cast<float*>(args.context->workspace.data());
    cpu::for_each_image_group(geometry_, args.batch, [&](std::int64_t first, std::int64_t images, cpu::Product) {
      cpu::spread_to_columns(geometry_, args.input + first * input_elements_, args.params[0], images, columns);
      cpu::col2im(geometry_, columns, images, args.output + first * output_elements_);
    });
    epilogue_.forward(args, args.batch * geometry_.in_h * geometry_.in_w, geometry_.in_c);
  }

  void backward(const BackwardArgs& args) override {
    float* columns = reinterpret_cast<float*>(args.context->workspace.data());
    epilogue_.backward(args, args.batch * geometry_.in_h * geometry_.in_w, geometry_.in_c);
    cpu::for_each_image_group(geometry_, args.batch, [&](std::int64_t first, std::int64_t images, cpu::Product gradient_into) {
      const float* x = args.input + first * input_elements_;
      cpu::im2col(geometry_, args.output_gradient + first * output_elements_, images, columns);
      cpu::filter_gradient(geometry_, x, columns, images, args.param_gradients[0], gradient_into);
      if (args.input_gradient != nullptr) {
        cpu::filter_columns(geometry_, columns, args.params[0], images, args.input_gradient + first * input_elements_);
      }
    });
  }

 private:
  ConvGeometry geometry_;  // of the conv2d this layer transposes: its in_* are this layer's output
  std::int64_t input_elements_, output_elements_;  // an image's
  cpu::BiasActivation epilogue_;
};

}  // namespace

extern const OpDef conv2d_transpose_op = {
    .keyword = "conv2d_transpose",
    .display_name = "Conv2DTranspose",
    .signature = conv_signature,
    .output_shape = conv2d_transpose_output_shape,
    .params = conv2d_transpose_params,
    .saved_for_backward = saves_input_and_activation_output,
    .flops = [](const Attrs& attrs, const Shape& input, const Shape& output) {
      const Size2 k = attrs.size2("kernel");  // each input element spreads over a kernel's window of every filter
      return weighted_layer_flops(input.elements() * k.h * k.w * output.channels(), output.elements());
    },
    .make_cpu_kernel = [](const Layer& layer) -> std::unique_ptr<LayerKernel> { return std::make_unique<Conv2dTransposeKernel>(layer); },
    .applies_dropout_after = applies_dropout_after_activation,
};

}  // namespace gpufm
