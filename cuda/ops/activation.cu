// The activations as layers of their own on the GPU (relu, sigmoid, tanh, softmax over the last
// axis, leaky_relu), as src/ops/activation.cpp does them on the CPU, with the shared launchers
// of cuda/activation.hpp.
#include "cuda/activation.hpp"
#include "cuda/check.hpp"
#include "cuda/op_kernels.hpp"
#include "gpufm/graph.hpp"

namespace gpufm::cuda {

namespace {

// Rows are the last axis, which softmax normalises; the other activations ignore the rows.
class ActivationKernel final : public LayerKernel {
 public:
  ActivationKernel(const Layer& layer, const CudaContext& context)
      : stream_(context.stream()),
        activation_(activation_of(layer.op->keyword)),
        alpha_(activation_ == Activation::leaky_relu ? static_cast<float>(layer.attrs.real("alpha")) : 0.0f),
        row_length_(layer.input.channels()),
        rows_per_sample_(layer.input.elements() / row_length_) {}

  void forward(const ForwardArgs& args) override {
    activation_forward(stream_, activation_, args.input, args.output, args.batch * rows_per_sample_, row_length_, alpha_);
  }

  void backward(const BackwardArgs& args) override {
    if (args.input_gradient == nullptr) return;
    if (args.activation_folded_into_loss) {
      const std::size_t bytes = static_cast<std::size_t>(args.batch * rows_per_sample_ * row_length_) * sizeof(float);
      GPUFM_CHECK(cudaMemcpyAsync(args.input_gradient, args.output_gradient, bytes, cudaMemcpyDeviceToDevice, stream_));
      return;
    }
    activation_backward(stream_, activation_, args.output, args.output_gradient, args.input_gradient,
                        args.batch * rows_per_sample_, row_length_, alpha_);
  }

 private:
  cudaStream_t stream_;
  Activation activation_;
  float alpha_;
  std::int64_t row_length_, rows_per_sample_;
};

}  // namespace

std::unique_ptr<LayerKernel> make_activation_kernel(const Layer& layer, CudaContext& context, const KernelSettings&) {
  return std::make_unique<ActivationKernel>(layer, context);
}

}  // namespace gpufm::cuda
