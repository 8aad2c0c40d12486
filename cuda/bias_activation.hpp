// The epilogue dense and both convolutions share on the GPU, as on the CPU
// (src/cpu/bias_activation.hpp): bias and activation on the output (rows of `columns` values),
// and in backward the activation's derivative folded into the output gradient, then the bias
// gradient.
#pragma once

#include <cstdint>

#include "cuda/activation.hpp"
#include "gpufm/attrs.hpp"
#include "gpufm/layer_kernel.hpp"

namespace gpufm::cuda {

class BiasActivation {
 public:
  explicit BiasActivation(const Attrs& attrs)
      : activation_(activation_of(attrs.choice("activation"))), alpha_(static_cast<float>(attrs.real("alpha"))) {}

  void forward(cudaStream_t stream, float* output, std::int64_t rows, std::int64_t columns, const float* bias) const {
    bias_activation_forward(stream, activation_, output, bias, rows, columns, alpha_);
  }

  // Leaves the pre-activation gradient in args.output_gradient and writes the bias gradient
  // (the layer's second parameter).
  void backward(cudaStream_t stream, const BackwardArgs& args, std::int64_t rows, std::int64_t columns) const {
    if (activation_ != Activation::linear && !args.activation_folded_into_loss) {
      activation_backward(stream, activation_, args.output, args.output_gradient, args.output_gradient, rows, columns, alpha_);
    }
    sum_rows(stream, args.output_gradient, rows, columns, args.param_gradients[1]);
  }

 private:
  Activation activation_;
  float alpha_;
};

}  // namespace gpufm::cuda
