// The activations as layers of their own: relu, sigmoid, tanh, softmax (over the last axis)
// and leaky_relu (slope alpha below zero, Keras' default 0.3). Dense and conv layers apply the
// same functions through their activation setting.
#include <algorithm>

#include "cpu/activation.hpp"
#include "gpufm/graph.hpp"
#include "gpufm/op.hpp"

namespace gpufm {

namespace {

constexpr ArgSpec leaky_relu_signature[] = {
    {.name = "alpha", .kind = ArgKind::real, .default_value = "0.3", .min = 0},
};

// Rows are the last axis, which softmax normalises; the other activations ignore the rows.
class ActivationKernel final : public LayerKernel {
 public:
  explicit ActivationKernel(const Layer& layer)
      : activation_(activation_of(layer.op->keyword)),
        alpha_(activation_ == Activation::leaky_relu ? static_cast<float>(layer.attrs.real("alpha")) : 0.0f),
        row_length_(layer.input.channels()),
        rows_per_sample_(layer.input.elements() / row_length_) {}

  void forward(const ForwardArgs& args) override {
    cpu::activation_forward(activation_, args.input, args.output, args.batch * rows_per_sample_, row_length_, alpha_);
  }

  void backward(const BackwardArgs& args) override {
    if (args.input_gradient == nullptr) return;
    if (args.activation_folded_into_loss) {
      std::copy_n(args.output_gradient, args.batch * rows_per_sample_ * row_length_, args.input_gradient);
      return;
    }
    cpu::activation_backward(activation_, args.output, args.output_gradient, args.input_gradient, args.batch * rows_per_sample_,
                             row_length_, alpha_);
  }

 private:
  Activation activation_;
  float alpha_;
  std::int64_t row_length_, rows_per_sample_;
};

constexpr OpDef activation_op(std::string_view keyword, std::string_view display_name, Signature signature = {}) {
  return OpDef{
      .keyword = keyword,
      .display_name = display_name,
      .signature = signature,
      .output_shape = [](const Attrs&, const Shape& input) { return input; },
      .params = no_params,
      .saved_for_backward = saves_output,
      // The function, then its derivative (from the output) times the gradient.
      .flops = [](const Attrs&, const Shape&, const Shape& output) { return per_element_flops(output, 1, 2); },
      .make_cpu_kernel = [](const Layer& layer) -> std::unique_ptr<LayerKernel> { return std::make_unique<ActivationKernel>(layer); },
  };
}

}  // namespace

extern const OpDef relu_op = activation_op("relu", "ReLU");
extern const OpDef sigmoid_op = activation_op("sigmoid", "Sigmoid");
extern const OpDef tanh_op = activation_op("tanh", "Tanh");
extern const OpDef softmax_op = activation_op("softmax", "Softmax");
extern const OpDef leaky_relu_op = activation_op("leaky_relu", "LeakyReLU", leaky_relu_signature);

}  // namespace gpufm
