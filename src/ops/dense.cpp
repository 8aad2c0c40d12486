// dense: y = activation(x W^T + b) on a flat input. The weight is stored (units, in), as
// PyTorch's Linear stores it.
#include "cpu/bias_activation.hpp"
#include "cpu/blas.hpp"
#include "gpufm/graph.hpp"
#include "gpufm/op.hpp"

namespace gpufm {

namespace {

constexpr ArgSpec dense_signature[] = {
    {.name = "units", .kind = ArgKind::integer, .min = 1, .max = max_layer_size},
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
        epilogue_(layer.attrs, units_) {}

  void forward(const ForwardArgs& args) override {
    cpu::gemm(args.input, cpu::Stored::as_is, args.params[0], cpu::Stored::transposed, args.output, args.batch, units_, in_);
    epilogue_.forward(args, args.batch, units_);
  }

  void backward(const BackwardArgs& args) override {
    epilogue_.backward(args, args.batch, units_);
    const float* dy = args.output_gradient;
    cpu::gemm(dy, cpu::Stored::transposed, args.input, cpu::Stored::as_is, args.param_gradients[0], units_, in_, args.batch);
    if (args.input_gradient != nullptr) {
      cpu::gemm(dy, cpu::Stored::as_is, args.params[0], cpu::Stored::as_is, args.input_gradient, args.batch, in_, units_);
    }
  }

 private:
  std::int64_t in_, units_;
  cpu::BiasActivation epilogue_;
};

}  // namespace

extern const OpDef dense_op = {
    .keyword = "dense",
    .display_name = "Dense",
    .signature = dense_signature,
    .output_shape = dense_output_shape,
    .params = dense_params,
    .saved_for_backward = saves_input_and_activation_output,
    .flops = [](const Attrs&, const Shape& input, const Shape& output) {
      return weighted_layer_flops(input.elements() * output.elements(), output.elements());
    },
    .make_cpu_kernel = [](const Layer& layer) -> std::unique_ptr<LayerKernel> { return std::make_unique<DenseKernel>(layer); },
    .applies_dropout_after = applies_dropout_after_activation,
};

}  // namespace gpufm
