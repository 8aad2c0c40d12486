// dropout on the GPU: inverted dropout in training, identity in inference, as
// src/ops/dropout.cpp does it (cuda/dropout.hpp); backward regenerates the mask instead of keeping it.
#include "cuda/dropout.hpp"
#include "cuda/op_kernels.hpp"
#include "gpufm/graph.hpp"

namespace gpufm::cuda {

namespace {

// Forward and backward apply the same linear map, to values and to gradients.
class DropoutKernel final : public LayerKernel {
 public:
  DropoutKernel(const Layer& layer, const CudaContext& context)
      : stream_(context.stream()), rate_(static_cast<float>(layer.attrs.real("rate"))), elements_(layer.input.elements()) {}

  void forward(const ForwardArgs& args) override {
    apply_dropout(stream_, mask(*args.context), args.input, args.output, args.batch * elements_);
  }

  void backward(const BackwardArgs& args) override {
    if (args.input_gradient != nullptr) {
      apply_dropout(stream_, mask(*args.context), args.output_gradient, args.input_gradient, args.batch * elements_);
    }
  }

 private:
  DropoutMask mask(const StepContext& context) const { return dropout_mask(context, context.layer_index, rate_); }

  cudaStream_t stream_;
  float rate_;
  std::int64_t elements_;
};

}  // namespace

std::unique_ptr<LayerKernel> make_dropout_kernel(const Layer& layer, CudaContext& context, const KernelSettings&) {
  return std::make_unique<DropoutKernel>(layer, context);
}

}  // namespace gpufm::cuda
