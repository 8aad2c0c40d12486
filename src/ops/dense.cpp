// dense: y = activation(x W^T + b) on a flat input. The weight is stored (units, in), as
// PyTorch's Linear stores it.
#include "cpu/activation.hpp"
#include "cpu/blas.hpp"
#include "gpufm/graph.hpp"
#include "gpufm/op.hpp"

namespace gpufm {

namespace {

constexpr ArgSpec dense_signature[] = {
    {.name = "units", .kind = ArgKind::integer, .min = 1},
    {.name = "activation", .kind = ArgKind::choice, .default_value = "linear", .choices = activation_names},
    {.name = "alpha", .kind = ArgKind::real, .default_value = "0.3", .positional = false, .min = 0},
    weight_init_setting,
};

Shape dense_output_shape(const Attrs& attrs, const Shape& input) {
  expect_flat("dense", input);
  check_activation_settings(attrs);
  return Shape{{attrs.integer("units")}};
}

std::vector<ParamSpec> dense_params(const Attrs& attrs, const Shape& input) {
  const std::int64_t units = attrs.integer("units"), in = input.elements();
  return {
      {.name = "weight", .shape = {units, in}, .init = weight_init(attrs), .fan_in = in, .fan_out = units},
      {.name = "bias", .shape = {units}},
  };
}

// Rows are samples: y (batch, units) = x (batch, in) * W^T + b.
class DenseKernel final : public LayerKernel {
 public:
  explicit DenseKernel(const Layer& layer)
      : in_(layer.input.elements()),
        units_(layer.attrs.integer("units")),
        activation_(activation_of(layer.attrs.choice("activation"))),
        alpha_(static_cast<float>(layer.attrs.real("alpha"))) {}

  void forward(const ForwardArgs& args) override {
    cpu::gemm(args.input, cpu::Stored::as_is, args.params[0], cpu::Stored::transposed, args.output, args.batch, units_, in_);
    cpu::add_bias(args.output, args.batch, units_, args.params[1]);
    cpu::activation_forward(activation_, args.output, args.output, args.batch, units_, alpha_);
  }

  void backward(const BackwardArgs& args) override {
    float* dy = args.output_gradient;
    // A linear layer saves no output: there is nothing to apply.
    if (activation_ != Activation::linear && !args.activation_folded_into_loss) {
      cpu::activation_backward(activation_, args.output, dy, dy, args.batch, units_, alpha_);
    }
    cpu::gemm(dy, cpu::Stored::transposed, args.input, cpu::Stored::as_is, args.param_gradients[0], units_, in_, args.batch);
    cpu::sum_rows(dy, args.batch, units_, args.param_gradients[1]);
    if (args.input_gradient != nullptr) {
      cpu::gemm(dy, cpu::Stored::as_is, args.params[0], cpu::Stored::as_is, args.input_gradient, args.batch, in_, units_);
    }
  }

 private:
  std::int64_t in_, units_;
  Activation activation_;
  float alpha_;
};

}  // namespace

extern const OpDef dense_op = {
    .keyword = "dense",
    .display_name = "Dense",
    .signature = dense_signature,
    .output_shape = dense_output_shape,
    .params = dense_params,
    .saved_for_backward = saves_input_and_activation_output,
    .make_cpu_kernel = [](const Layer& layer) -> std::unique_ptr<LayerKernel> { return std::make_unique<DenseKernel>(layer); },
};

}  // namespace gpufm
