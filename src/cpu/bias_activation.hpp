// The epilogue dense and both convolutions share: bias and activation on the output (rows of
// `columns` values: samples for dense, pixels for the convolutions), and in backward the
// activation's derivative folded into the output gradient, then the bias gradient; one pass each
// for an element-wise activation, two for softmax (whose rows are normalised as a whole). A
// dropout that the layer applies (ForwardArgs::dropout) takes a pass of its own each way: the
// CPU is the reference, and its passes are the dropout layer's.
#pragma once

#include <cstdint>
#include <vector>

#include "cpu/activation.hpp"
#include "cpu/blas.hpp"
#include "cpu/dropout.hpp"
#include "gpufm/attrs.hpp"
#include "gpufm/layer_kernel.hpp"

namespace gpufm::cpu {

class BiasActivation {
 public:
  BiasActivation(const Attrs& attrs, std::int64_t columns)
      : activation_(activation_of(attrs.choice("activation"))),
        alpha_(static_cast<float>(attrs.real("alpha"))),
        chunk_sums_(static_cast<std::size_t>(sum_rows_chunks * columns)) {}

  // args.output += the bias (the layer's second parameter), then the activation and any dropout.
  void forward(const ForwardArgs& args, std::int64_t rows, std::int64_t columns) const {
    float* output = args.output;
    if (activation_ == Activation::softmax) {
      add_bias(output, rows, columns, args.params[1]);
      activation_forward(activation_, output, output, rows, columns, alpha_);
    } else {
      bias_activation_forward(activation_, output, args.params[1], rows, columns, alpha_);
    }
    apply_dropout(args.dropout, output, output, rows * columns);
  }

  // Leaves the pre-activation gradient in args.output_gradient (masked by any dropout first) and
  // writes the bias gradient (the layer's second parameter). A linear layer saves no output, and
  // has no slope to apply; nor has a layer whose activation the loss folded in.
  void backward(const BackwardArgs& args, std::int64_t rows, std::int64_t columns) {
    apply_dropout(args.dropout, args.output_gradient, args.output_gradient, rows * columns);
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
