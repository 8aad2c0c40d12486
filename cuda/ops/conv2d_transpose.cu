// conv2d_transpose on the GPU, as the CPU kernel (src/ops/conv2d_transpose.cpp) explains: the
// backward-data of the conv2d whose images have this layer's output shape and whose outputs
// have its input shape (same kernel, stride and padding rule), with this layer's weight
// (in_c, kh, kw, filters) as that conv2d's filter. So forward is that convolution's
// backward-data, the input gradient its forward, and the weight gradient its backward-filter
// with the roles of images and output gradient taken by this layer's output gradient and input.
#include "ops/window.hpp"
#include "cuda/bias_activation.hpp"
#include "cuda/convolution.hpp"
#include "cuda/op_kernels.hpp"
#include "gpufm/graph.hpp"

namespace gpufm::cuda {

namespace {

class Conv2dTransposeKernel final : public LayerKernel {
 public:
  Conv2dTransposeKernel(const Layer& layer, CudaContext& context, const KernelSettings& settings)
      : convolution_(conv_geometry(layer.attrs, layer.output, layer.input.channels()), context, settings.precision),
        epilogue_(layer.attrs, layer.output.channels(), context, settings.fused_epilogues),
        stream_(context.stream()) {}

  std::size_t workspace_bytes(std::int64_t batch) const override { return convolution_.workspace_bytes(batch); }

  void forward(const ForwardArgs& args) override {
    convolution_.backward_data(args.input, args.params[0], args.output, args.batch, args.context->workspace);
    epilogue_.forward(stream_, args, pixels(args.batch), filters());
  }

  void backward(const BackwardArgs& args) override {
    epilogue_.backward(stream_, args, pixels(args.batch), filters());
    const std::span<std::byte> workspace = args.context->workspace;
    convolution_.backward_filter(args.output_gradient, args.input, args.param_gradients[0], args.batch, workspace);
    if (args.input_gradient != nullptr) {
      convolution_.forward(args.output_gradient, args.params[0], args.input_gradient, args.batch, workspace);
    }
  }

 private:
  // The output's rows for the epilogue: one per pixel of the convolution's images (this layer's
  // output), of `filters` values.
  std::int64_t pixels(std::int64_t batch) const {
    return batch * convolution_.geometry().in_h * convolution_.geometry().in_w;
  }
  std::int64_t filters() const { return convolution_.geometry().in_c; }

  Convolution convolution_;  // the conv2d this layer transposes: its in_* are this layer's output
  BiasActivation epilogue_;
  cudaStream_t stream_;
};

}  // namespace

std::unique_ptr<LayerKernel> make_conv2d_transpose_kernel(const Layer& layer, CudaContext& context, const KernelSettings& settings) {
  return std::make_unique<Conv2dTransposeKernel>(layer, context, settings);
}

}  // namespace gpufm::cuda
