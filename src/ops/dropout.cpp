// dropout: inverted dropout in training (kept values scaled by 1 / (1 - rate)), identity in
// inference. Its mask comes from a counter-based RNG, so backward regenerates it rather than
// keeping it.
#include "cpu/dropout.hpp"
#include "gpufm/graph.hpp"
#include "gpufm/op.hpp"

namespace gpufm {

namespace {

constexpr ArgSpec dropout_signature[] = {
    {.name = "rate", .kind = ArgKind::real, .min = 0, .max = 1, .max_open = true},
};

// Forward and backward apply the same linear map, to values and to gradients: in training the
// mask of gpufm/dropout_mask.hpp, in inference the identity.
class DropoutKernel final : public LayerKernel {
 public:
  explicit DropoutKernel(const Layer& layer)
      : rate_(static_cast<float>(layer.attrs.real("rate"))), elements_(layer.input.elements()) {}

  void forward(const ForwardArgs& args) override {
    cpu::apply_dropout(mask(*args.context), args.input, args.output, args.batch * elements_);
  }

  void backward(const BackwardArgs& args) override {
    if (args.input_gradient != nullptr) {
      cpu::apply_dropout(mask(*args.context), args.output_gradient, args.input_gradient, args.batch * elements_);
    }
  }

 private:
  DropoutMask mask(const StepContext& context) const { return dropout_mask(context, context.layer_index, rate_); }

  float rate_;
  std::int64_t elements_;
};

}  // namespace

extern const OpDef dropout_op = {
    .keyword = "dropout",
    .display_name = "Dropout",
    .signature = dropout_signature,
    .output_shape = [](const Attrs&, const Shape& input) { return input; },
    .params = no_params,
    .saved_for_backward = saves_nothing,
    .flops = [](const Attrs&, const Shape&, const Shape& output) { return per_element_flops(output, 1, 1); },  // the mask's multiply
    .make_cpu_kernel = [](const Layer& layer) -> std::unique_ptr<LayerKernel> { return std::make_unique<DropoutKernel>(layer); },
};

}  // namespace gpufm
