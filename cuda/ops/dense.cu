// dense on the GPU: y = activation(x W^T + b) with cuBLAS, step for step as the CPU kernel
// (src/ops/dense.cpp). The weight is stored (units, in).
#include "cuda/bias_activation.hpp"
#include "cuda/blas.hpp"
#include "cuda/op_kernels.hpp"
#include "gpufm/graph.hpp"

namespace gpufm::cuda {

namespace {

// Rows are samples: y (batch, units) = x (batch, in) * W^T + b.
class DenseKernel final : public LayerKernel {
 public:
  DenseKernel(const Layer& layer, CudaContext& context, Precision precision)
      : in_(layer.input.elements()),
        units_(layer.attrs.integer("units")),
        epilogue_(layer.attrs, units_, context),
        stream_(context.stream()),
        cublas_(context.cublas()),
        math_(matrix_math(precision)) {}

  void forward(const ForwardArgs& args) override {
    gemm(cublas_, math_, args.input, Stored::as_is, args.params[0], Stored::transposed, args.output, args.batch, units_, in_);
    epilogue_.forward(stream_, args.output, args.batch, units_, args.params[1]);
  }

  void backward(const BackwardArgs& args) override {
    epilogue_.backward(stream_, args, args.batch, units_);
    const float* dy = args.output_gradient;
    gemm(cublas_, math_, dy, Stored::transposed, args.input, Stored::as_is, args.param_gradients[0], units_, in_, args.batch);
    if (args.input_gradient != nullptr) {
      gemm(cublas_, math_, dy, Stored::as_is, args.params[0], Stored::as_is, args.input_gradient, args.batch, in_, units_);
    }
  }

 private:
  std::int64_t in_, units_;
  BiasActivation epilogue_;
  cudaStream_t stream_;
  cublasHandle_t cublas_;  // bound to stream_
  cublasComputeType_t math_;
};

}  // namespace

std::unique_ptr<LayerKernel> make_dense_kernel(const Layer& layer, CudaContext& context, Precision precision) {
  return std::make_unique<DenseKernel>(layer, context, precision);
}

}  // namespace gpufm::cuda
