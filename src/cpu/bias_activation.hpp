// The epilogue dense and both convolutions share: bias and activation on the output (rows of
// `columns` values: samples for dense, pixels for the convolutions), and in backward the
// activation's derivative folded into the output gradient, then the bias gradient; one pass each
// for an element-wise activation, two for softmax (whose rows are normalised as a whole).
#pragma once

#include <cstdint>
#include <vector>

#include "cpu/activation.hpp"
#include "cpu/blas.hpp"
#include "gpufm/attrs.hpp"
#include "gpufm/layer_kernel.hpp"

namespace gpufm::cpu {

class BiasActivation {
 public:
  BiasActivation(const Attrs& attrs, std::int64_t columns)
      : activation_(activation_of(attrs.choice("activation"))),
        alpha_(static_cast<float>(attrs.real("alpha"))),
        chunk_sums_(static_cast<std::size_t>(sum_rows_chunks * columns)) {}

  void forward(float* output, std::int64_t rows, std::int64_t columns, const float* bias) const {
    if (activation_ == Activation::softmax) {
      add_bias(output, rows, columns, bias);
      activation_forward(activation_, output, output, rows, columns, alpha_);
      return;
    }
    bias_activation_forward(activation_, output, bias, rows, columns, alpha_);
  }

  // Leaves the pre-activation gradient in args.output_gradient and writes the bias gradient
  // (the layer's second parameter). A linear layer saves no output, and has nothing to apply;
  // nor has a layer whose activation the loss folded in.
  void backward(const BackwardArgs& args, std::int64_t rows, std::int64_t columns) {
    Activation slope = args.activation_folded_into_loss ? Activation::linear : activation_;
    if (slope == Activation::softmax) {
      activation_backward(slope, args.output, args.output_gradient, args.output_gradient, rows, columns, alpha_);
      slope = Activation::linear;
    }
    activation_backward_and_sum_rows(slope, args.output, args.output_gradient, rows, columns, alpha_, chunk_sums_.data(),
                                     args.param_gradients[1]);
  }

 private:
  Activation activation_;
  float alpha_;
  std::vector<double> chunk_sums_;  // sum_rows_chunks x columns, made once: a step allocates nothing
};

}  // namespace gpufm::cpu
