// The epilogue dense and both convolutions share on the GPU, as on the CPU
// (src/cpu/bias_activation.hpp): bias and activation on the output (rows of `columns` values),
// and in backward the activation's derivative folded into the output gradient, then the bias
// gradient, through chunk sums it keeps from binding on.
#pragma once

#include <cstdint>

#include "cuda/activation.hpp"
#include "cuda/context.hpp"
#include "gpufm/attrs.hpp"
#include "gpufm/layer_kernel.hpp"

namespace gpufm::cuda {

class BiasActivation {
 public:
  BiasActivation(const Attrs& attrs, std::int64_t columns, CudaContext& context)
      : activation_(activation_of(attrs.choice("activation"))),
        alpha_(static_cast<float>(attrs.real("alpha"))),
        chunk_sums_(context.allocate(static_cast<std::size_t>(sum_rows_chunks * columns) * sizeof(double))) {}

  void forward(cudaStream_t stream, float* output, std::int64_t rows, std::int64_t columns, const float* bias) const {
    bias_activation_forward(stream, activation_, output, bias, rows, columns, alpha_);
  }

  // Leaves the pre-activation gradient in args.output_gradient and writes the bias gradient
  // (the layer's second parameter).
  void backward(cudaStream_t stream, const BackwardArgs& args, std::int64_t rows, std::int64_t columns) const {
    if (activation_ != Activation::linear && !args.activation_folded_into_loss) {
      activation_backward(stream, activation_, args.output, args.output_gradient, args.output_gradient, rows, columns, alpha_);
    }
    sum_rows(stream, args.output_gradient, rows, columns, chunk_sums_.as<double>(), args.param_gradients[1]);
  }

 private:
  Activation activation_;
  float alpha_;
  DeviceBuffer chunk_sums_;  // sum_rows_chunks x columns
};

}  // namespace gpufm::cuda
