// The epilogue dense and both convolutions share: bias and activation on the output (rows of
// `columns` values: samples for dense, pixels for the convolutions), and in backward the
// activation's derivative folded into the output gradient, then the bias gradient.
#pragma once

#include <cstdint>

#include "cpu/activation.hpp"
#include "cpu/blas.hpp"
#include "gpufm/attrs.hpp"
#include "gpufm/layer_kernel.hpp"

namespace gpufm::cpu {

class BiasActivation {
 public:
  explicit BiasActivation(const Attrs& attrs)
      : activation_(activation_of(attrs.choice("activation"))), alpha_(static_cast<float>(attrs.real("alpha"))) {}

  void forward(float* output, std::int64_t rows, std::int64_t columns, const float* bias) const {
    add_bias(output, rows, columns, bias);
    activation_forward(activation_, output, output, rows, columns, alpha_);
  }

  // Leaves the pre-activation gradient in args.output_gradient and writes the bias gradient
  // (the layer's second parameter).
  void backward(const BackwardArgs& args, std::int64_t rows, std::int64_t columns) const {
    // A linear layer saves no output, and has nothing to apply.
    if (activation_ != Activation::linear && !args.activation_folded_into_loss) {
      activation_backward(activation_, args.output, args.output_gradient, args.output_gradient, rows, columns, alpha_);
    }
    sum_rows(args.output_gradient, rows, columns, args.param_gradients[1]);
  }

 private:
  Activation activation_;
  float alpha_;
};

}  // namespace gpufm::cpu
