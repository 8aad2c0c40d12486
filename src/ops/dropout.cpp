// dropout: inverted dropout in training (kept values scaled by 1 / (1 - rate)), identity in
// inference. Its mask comes from a counter-based RNG, so backward regenerates it rather than
// keeping it.
#include <algorithm>

#include "gpufm/graph.hpp"
#include "gpufm/op.hpp"
#include "gpufm/philox.hpp"

namespace gpufm {

namespace {

constexpr ArgSpec dropout_signature[] = {
    {.name = "rate", .kind = ArgKind::real, .min = 0, .max = 1, .max_open = true},
};

// Forward and backward apply the same linear map, to values and to gradients: in training each
// element is kept (and scaled by 1 / (1 - rate)) when its Philox number for (seed, layer,
// step, element) reaches the rate; in inference the map is the identity.
class DropoutKernel final : public LayerKernel {
 public:
  explicit DropoutKernel(const Layer& layer)
      : rate_(static_cast<float>(layer.attrs.real("rate"))), elements_(layer.input.elements()) {}

  void forward(const ForwardArgs& args) override { apply(args.input, args.output, args.batch, *args.context); }

  void backward(const BackwardArgs& args) override {
    if (args.input_gradient != nullptr) apply(args.output_gradient, args.input_gradient, args.batch, *args.context);
  }

 private:
  void apply(const float* from, float* to, std::int64_t batch, const StepContext& context) const {
    const std::int64_t count = batch * elements_;
    if (!context.training) {
      std::copy_n(from, count, to);
      return;
    }
    const float scale = 1.0f / (1.0f - rate_);
    const auto step = static_cast<std::uint32_t>(context.numbers->run_step);
    // Element i takes philox_word's word i: one Philox call serves four elements.
    constexpr std::int64_t words = 4;
#pragma omp parallel for schedule(static)
    for (std::int64_t block = 0; block < (count + words - 1) / words; ++block) {
      const Philox4x32 drawn = philox_block(context.seed, context.layer_index, step, static_cast<std::uint64_t>(block));
      for (std::int64_t i = block * words; i < std::min(count, (block + 1) * words); ++i) {
        const bool kept = uniform_from_word(drawn.v[i % words]) >= rate_;
        to[i] = kept ? from[i] * scale : 0.0f;
      }
    }
  }

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
