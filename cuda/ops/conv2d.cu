// conv2d on the GPU: cuDNN's convolution (cuda/convolution.hpp), then the bias-and-activation
// epilogue, as the CPU kernel (src/ops/conv2d.cpp) does with im2col and a GEMM. With fused
// epilogues, cuDNN adds the bias and relu in the convolution's call where it can, and backward
// takes the activation's derivative and the bias gradient in one pass. The weight is stored
// (filters, kh, kw, in_c), cuDNN's NHWC filter layout.
#include <optional>

#include "ops/window.hpp"
#include "cuda/bias_activation.hpp"
#include "cuda/convolution.hpp"
#include "cuda/op_kernels.hpp"
#include "gpufm/graph.hpp"

namespace gpufm::cuda {

namespace {

class Conv2dKernel final : public LayerKernel {
 public:
  Conv2dKernel(const Layer& layer, CudaContext& context, const KernelSettings& settings)
      : convolution_(conv_geometry(layer.attrs, layer.input, layer.output.channels()), context, settings.precision),
        epilogue_(layer.attrs, layer.output.channels(), context, settings.fused_epilogues),
        stream_(context.stream()) {}

  std::size_t workspace_bytes(std::int64_t batch) const override { return convolution_.workspace_bytes(batch); }

  void forward(const ForwardArgs& args) override {
    std::optional<Convolution::BiasActivationToFuse> fusable;
    if (epilogue_.fused()) fusable = Convolution::BiasActivationToFuse{.bias = args.params[1], .activation = epilogue_.activation()};
    if (convolution_.forward(args.input, args.params[0], args.output, args.batch, args.context->workspace, fusable)) {
      epilogue_.finish_forward(stream_, args, pixels(args.batch), filters());
      return;
    }
    epilogue_.forward(stream_, args, pixels(args.batch), filters());
  }

  void backward(const BackwardArgs& args) override {
    epilogue_.backward(stream_, args, pixels(args.batch), filters());
    const std::span<std::byte> workspace = args.context->workspace;
    convolution_.backward_filter(args.input, args.output_gradient, args.param_gradients[0], args.batch, workspace);
    if (args.input_gradient != nullptr) {
      convolution_.backward_data(args.output_gradient, args.params[0], args.input_gradient, args.batch, workspace);
    }
  }

 private:
  // The output's rows for the epilogue: one per pixel, of `filters` values.
  std::int64_t pixels(std::int64_t batch) const { return batch * convolution_.geometry().positions(); }
  std::int64_t filters() const { return convolution_.geometry().out_c; }

  Convolution convolution_;
  BiasActivation epilogue_;
  cudaStream_t stream_;
};

}  // namespace

std::unique_ptr<LayerKernel> make_conv2d_kernel(const Layer& layer, CudaContext& context, const KernelSettings& settings) {
  return std::make_unique<Conv2dKernel>(layer, context, settings);
}

}  // namespace gpufm::cuda
