// One op (a layer kind) as the graph compiler sees it: its DSL keyword and settings, its shape
// rule, its parameters, and what its backward pass keeps from the forward pass. Each op lives in
// src/ops/NAME.cpp; op_table() lists them all, explicitly.
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "gpufm/attrs.hpp"
#include "gpufm/layer_kernel.hpp"
#include "gpufm/shape.hpp"

namespace gpufm {

struct Layer;

// Keras' initializers. The random ones scale by a ParamSpec's fan_in and fan_out (Keras'
// VarianceScaling); the normal ones are truncated at 2 standard deviations.
enum class Init { glorot_uniform, glorot_normal, he_uniform, he_normal, lecun_normal, zeros, ones };

// The initialisers a weight may take with init=NAME (in Init's order; zeros and ones are for
// biases and batch-norm); Keras' default is glorot_uniform.
inline constexpr std::string_view weight_init_names[] = {"glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_normal"};
inline constexpr ArgSpec weight_init_setting = {.name = "init", .kind = ArgKind::choice, .default_value = "glorot_uniform",
                                                .positional = false, .choices = weight_init_names};
Init weight_init(const Attrs& attrs);  // the init= setting as an Init

struct ParamSpec {
  std::string name;                 // "weight", "bias", "running_mean", ...
  std::vector<std::int64_t> shape;  // row-major; layouts are stated by each op
  bool trainable = true;
  Init init = Init::zeros;
  std::int64_t fan_in = 0, fan_out = 0;  // for the random initializers
  std::int64_t elements() const;
};

// What backward reads besides the gradient of the output; drives activation lifetimes.
struct SavedForBackward {
  bool input = false;
  bool output = false;
};

// The arithmetic of one sample through a layer in a training step, a multiply-add counted as two
// operations (the convention of TFLOP/s figures). Element-wise work counts one operation per
// element per pass: those layers are bound by memory traffic, not arithmetic, and their figure
// only needs to be small and of the right order.
struct LayerFlops {
  double forward = 0;
  double backward_params = 0;  // the parameters' gradients
  double backward_input = 0;   // the input's gradient, which the first layer does not compute
};
// `passes` operations per element of `shape`, forward and for the input's gradient.
LayerFlops per_element_flops(const Shape& shape, double forward_passes, double backward_passes);
// Dense and conv layers: a product of `multiply_adds` per sample, then bias and activation on each
// of `outputs`; backward repeats the product once for the weights and once for the input.
LayerFlops weighted_layer_flops(std::int64_t multiply_adds, std::int64_t outputs);

// Thrown by an op's rules to say why a layer cannot be built (an input that does not fit, a
// setting that does not apply); the compiler adds the layer's name and source location.
class LayerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct OpDef {
  std::string_view keyword;       // in the DSL: "conv2d"
  std::string_view display_name;  // in the summary, as Keras names the class: "Conv2D"
  Signature signature;
  Shape (*output_shape)(const Attrs& attrs, const Shape& input);
  std::vector<ParamSpec> (*params)(const Attrs& attrs, const Shape& input);
  SavedForBackward (*saved_for_backward)(const Attrs& attrs);
  LayerFlops (*flops)(const Attrs& attrs, const Shape& input, const Shape& output);
  // The CPU backend's forward and backward (the reference the CUDA backend is tested against).
  std::unique_ptr<LayerKernel> (*make_cpu_kernel)(const Layer& layer) = nullptr;
  bool output_aliases_input = false;  // the output is a view of the input (flatten, reshape)
  // Whether the layer can apply a dropout layer that follows it (ForwardArgs::dropout): its
  // forward then drops its output as it writes it, and its backward starts from the dropped
  // output's gradient, so the dropout runs no pass of its own. nullptr: never.
  bool (*applies_dropout_after)(const Attrs& attrs) = nullptr;
};

std::span<const OpDef* const> op_table();
const OpDef* find_op(std::string_view keyword);  // nullptr when unknown

// The most a size setting may give: input's dimensions, filters, units, kernel, stride, pool and
// upsample sizes, reshape's dimensions. Far above any real layer, it keeps the shape rules'
// arithmetic within 64 bits: an image's channels, a kernel's height and its width are each at
// most this, so a product of the three or a size times a stride cannot overflow before the
// compiler checks the tensors' sizes.
inline constexpr std::int64_t max_layer_size = std::int64_t{1} << 20;

// The activations dense and conv layers take as a setting, and that stand alone as layers.
inline constexpr std::string_view activation_names[] = {"linear", "relu", "sigmoid", "tanh", "softmax", "leaky_relu"};

// Shared by ops: no parameters; backward keeps nothing.
std::vector<ParamSpec> no_params(const Attrs&, const Shape&);
SavedForBackward saves_nothing(const Attrs&);
// Views (flatten, reshape) compute nothing.
LayerFlops no_flops(const Attrs&, const Shape&, const Shape&);
// Standalone activations compute their derivative from their output.
SavedForBackward saves_output(const Attrs&);
// Dense and conv layers need their input for the weight gradient, and their output when an
// activation other than linear is applied (its derivative is computed from the output).
SavedForBackward saves_input_and_activation_output(const Attrs& attrs);
// "conv2d expects an image (HxWxC), got 784": throws unless the input has the wanted rank.
void expect_image(std::string_view keyword, const Shape& input);
void expect_flat(std::string_view keyword, const Shape& input);
// Dense and conv layers apply a dropout after them when their activation's slope can be read from
// the dropped output: linear, relu and leaky_relu, whose slope depends only on the sign, which
// the mask's scale keeps (and a dropped element's gradient is 0 whatever its slope).
bool applies_dropout_after_activation(const Attrs& attrs);
// Pooling and upsampling, whose backward never reads their output, always can.
bool always_applies_dropout_after(const Attrs&);
// alpha= is the slope of leaky_relu only.
void check_activation_settings(const Attrs& attrs);

}  // namespace gpufm
