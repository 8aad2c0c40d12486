// The epilogue dense and both convolutions share on the GPU, as on the CPU
// (src/cpu/bias_activation.hpp): bias and activation on the output (rows of `columns` values),
// and in backward the activation's derivative folded into the output gradient, then the bias
// gradient, through chunk sums and counts it keeps from binding on. With fusion on, backward
// takes one pass over the gradient for both (an element-wise activation). Each pass also comes
// in halves, for dense, whose cuBLASLt products can take one half of each in their epilogues. A
// dropout the layer applies (ForwardArgs::dropout) goes into the same passes.
#pragma once

#include <cstdint>

#include "cuda/activation.hpp"
#include "cuda/context.hpp"
#include "cuda/dropout.hpp"
#include "cuda/epilogue_matmul.hpp"
#include "gpufm/attrs.hpp"
#include "gpufm/layer_kernel.hpp"

namespace gpufm::cuda {

class BiasActivation {
 public:
  BiasActivation(const Attrs& attrs, std::int64_t columns, CudaContext& context, bool fused)
      : activation_(activation_of(attrs.choice("activation"))),
        alpha_(static_cast<float>(attrs.real("alpha"))),
        fused_(fused),
        chunk_sums_(context.allocate(static_cast<std::size_t>(sum_rows_chunks * columns) * sizeof(double))),
        chunks_done_(context.allocate(static_cast<std::size_t>(sum_rows_column_tiles(columns)) * sizeof(unsigned))) {}

  Activation activation() const { return activation_; }
  bool fused() const { return fused_; }

  // args.output += the bias (the layer's second parameter), then the activation and any dropout.
  void forward(cudaStream_t stream, const ForwardArgs& args, std::int64_t rows, std::int64_t columns) const {
    bias_activation_forward(stream, activation_, args.output, args.params[1], rows, columns, alpha_, args.dropout);
  }

  // forward in two halves, for a product that can take the first in its epilogue: the bias, and
  // relu when that is the activation (cuBLASLt's BIAS or RELU_BIAS, cuDNN's fused convolution);
  // then any other activation, and any dropout.
  Epilogue product_epilogue() const { return activation_ == Activation::relu ? Epilogue::bias_relu : Epilogue::bias; }
  void finish_forward(cudaStream_t stream, const ForwardArgs& args, std::int64_t rows, std::int64_t columns) const {
    if (activation_ != Activation::linear && activation_ != Activation::relu) {
      activation_forward(stream, activation_, args.output, args.output, rows, columns, alpha_, args.dropout);
      return;
    }
    apply_dropout(stream, args.dropout, args.output, args.output, rows * columns);
  }

  // Leaves the pre-activation gradient in args.output_gradient and writes the bias gradient
  // (the layer's second parameter).
  void backward(cudaStream_t stream, const BackwardArgs& args, std::int64_t rows, std::int64_t columns) const {
    const Activation slope = args.activation_folded_into_loss ? Activation::linear : activation_;
    if (fused_ && slope != Activation::softmax) {
      activation_backward_and_sum_rows(stream, slope, args.dropout, args.output, args.output_gradient, rows, columns, alpha_,
                                       chunk_sums_.as<double>(), chunks_done_.as<unsigned>(), args.param_gradients[1]);
      return;
    }
    fold_activation_derivative(stream, args, rows, columns);
    bias_gradient(stream, args, rows, columns);
  }

  // backward's two halves, for a layer whose matrix product can sum the bias gradient itself.
  // args.output_gradient: masked by any dropout, then times the activation's derivative (nothing
  // for linear, or when the loss folded it in).
  void fold_activation_derivative(cudaStream_t stream, const BackwardArgs& args, std::int64_t rows, std::int64_t columns) const {
    if (activation_ != Activation::linear && !args.activation_folded_into_loss) {
      activation_backward(stream, activation_, args.output, args.output_gradient, args.output_gradient, rows, columns, alpha_,
                          args.dropout);
      return;
    }
    apply_dropout(stream, args.dropout, args.output_gradient, args.output_gradient, rows * columns);
  }
  // The bias gradient = the sum of the rows of the pre-activation gradient.
  void bias_gradient(cudaStream_t stream, const BackwardArgs& args, std::int64_t rows, std::int64_t columns) const {
    activation_backward_and_sum_rows(stream, Activation::linear, DropoutMask{}, args.output, args.output_gradient, rows, columns, alpha_,
                                     chunk_sums_.as<double>(), chunks_done_.as<unsigned>(), args.param_gradients[1]);
  }

 private:
  Activation activation_;
  float alpha_;
  bool fused_;  // backward in one pass
  DeviceBuffer chunk_sums_;   // sum_rows_chunks x columns: 2 KiB a column, whatever the batch
  DeviceBuffer chunks_done_;  // sum_rows_column_tiles(columns), zeroed by allocate
};

}  // namespace gpufm::cuda
