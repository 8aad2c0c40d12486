// The one list of every op. Adding an op: write src/ops/NAME.cpp and add it here.
#include <algorithm>
#include <array>

#include "gpufm/activation.hpp"

#include "gpufm/op.hpp"

namespace gpufm {

extern const OpDef dense_op, conv2d_op, conv2d_transpose_op, maxpool_op, avgpool_op, upsample_op, batchnorm_op,
    dropout_op, flatten_op, reshape_op, relu_op, sigmoid_op, tanh_op, softmax_op, leaky_relu_op;

namespace {

const std::array<const OpDef*, 15> all_ops = {
    &dense_op,   &conv2d_op,  &conv2d_transpose_op, &maxpool_op, &avgpool_op, &upsample_op, &batchnorm_op,  &dropout_op,
    &flatten_op, &reshape_op, &relu_op,             &sigmoid_op, &tanh_op,    &softmax_op,  &leaky_relu_op,
};

void expect_rank(std::string_view keyword, const Shape& input, bool image) {
  if (image ? input.is_image() : input.is_flat()) return;
  throw LayerError(std::string(keyword) + (image ? " expects an image (HxWxC), got " + input.str() + "; reshape it first (as: reshape 28x28x1)"
                                                 : " expects a flat input, got " + input.str() + "; add 'flatten' before it"));
}

}  // namespace

std::span<const OpDef* const> op_table() { return all_ops; }

Activation activation_of(std::string_view name) {
  return static_cast<Activation>(std::find(std::begin(activation_names), std::end(activation_names), name) - std::begin(activation_names));
}

const OpDef* find_op(std::string_view keyword) {
  for (const OpDef* op : all_ops) {
    if (op->keyword == keyword) return op;
  }
  return nullptr;
}

std::vector<ParamSpec> no_params(const Attrs&, const Shape&) { return {}; }
SavedForBackward saves_nothing(const Attrs&) { return {}; }
LayerFlops no_flops(const Attrs&, const Shape&, const Shape&) { return {}; }
LayerFlops weighted_layer_flops(std::int64_t multiply_adds, std::int64_t outputs) {
  const double product = 2.0 * static_cast<double>(multiply_adds), epilogue = 2.0 * static_cast<double>(outputs);
  return {.forward = product + epilogue, .backward_params = product + epilogue, .backward_input = product};
}
LayerFlops per_element_flops(const Shape& shape, double forward_passes, double backward_passes) {
  const auto elements = static_cast<double>(shape.elements());
  return {.forward = forward_passes * elements, .backward_params = 0, .backward_input = backward_passes * elements};
}
SavedForBackward saves_output(const Attrs&) { return {.input = false, .output = true}; }
SavedForBackward saves_input_and_activation_output(const Attrs& attrs) {
  return {.input = true, .output = attrs.choice("activation") != "linear"};
}

bool applies_dropout_after_activation(const Attrs& attrs) {
  const Activation activation = activation_of(attrs.choice("activation"));
  return activation == Activation::linear || activation == Activation::relu || activation == Activation::leaky_relu;
}

bool always_applies_dropout_after(const Attrs&) { return true; }

void expect_image(std::string_view keyword, const Shape& input) { expect_rank(keyword, input, true); }
void expect_flat(std::string_view keyword, const Shape& input) { expect_rank(keyword, input, false); }

Init weight_init(const Attrs& attrs) {
  const std::string& name = attrs.choice("init");
  return static_cast<Init>(std::find(std::begin(weight_init_names), std::end(weight_init_names), name) - std::begin(weight_init_names));
}

void check_activation_settings(const Attrs& attrs) {
  if (attrs.given("alpha") && attrs.choice("activation") != "leaky_relu") {
    throw LayerError("alpha= is the slope of leaky_relu, but the activation is " + attrs.choice("activation"));
  }
}

std::int64_t ParamSpec::elements() const { return product(shape); }

}  // namespace gpufm
