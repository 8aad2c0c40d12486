// The activations as layers of their own: relu, sigmoid, tanh, softmax (over the last axis)
// and leaky_relu (slope alpha below zero, Keras' default 0.3). Dense and conv layers apply the
// same functions through their activation setting.
#include "gpufm/op.hpp"

namespace gpufm {

namespace {

constexpr ArgSpec leaky_relu_signature[] = {
    {.name = "alpha", .kind = ArgKind::real, .default_value = "0.3", .min = 0},
};

constexpr OpDef activation_op(std::string_view keyword, std::string_view display_name, Signature signature = {}) {
  return OpDef{
      .keyword = keyword,
      .display_name = display_name,
      .signature = signature,
      .output_shape = [](const Attrs&, const Shape& input) { return input; },
      .params = no_params,
      .saved_for_backward = saves_output,
  };
}

}  // namespace

extern const OpDef relu_op = activation_op("relu", "ReLU");
extern const OpDef sigmoid_op = activation_op("sigmoid", "Sigmoid");
extern const OpDef tanh_op = activation_op("tanh", "Tanh");
extern const OpDef softmax_op = activation_op("softmax", "Softmax");
extern const OpDef leaky_relu_op = activation_op("leaky_relu", "LeakyReLU", leaky_relu_signature);

}  // namespace gpufm
