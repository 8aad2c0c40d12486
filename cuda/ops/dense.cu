// dense on the GPU: y = activation(x W^T + b), step for step as the CPU kernel (src/ops/dense.cpp).
// The weight is stored (units, in). With fused epilogues, cuBLASLt adds the bias (and relu) as it
// writes the product, any other activation following in a kernel of its own, and sums the bias
// gradient as the weight gradient's product reads the output gradient (or, where it cannot, in
// the activation derivative's pass). Without, or for a shape cuBLASLt has no algorithm for,
// cuBLAS's product is followed by the shared epilogue's kernels.
#include <optional>

#include "cuda/bias_activation.hpp"
#include "cuda/blas.hpp"
#include "cuda/epilogue_matmul.hpp"
#include "cuda/op_kernels.hpp"
#include "gpufm/graph.hpp"

namespace gpufm::cuda {

namespace {

// Rows are samples: y (batch, units) = x (batch, in) * W^T + b.
class DenseKernel final : public LayerKernel {
 public:
  DenseKernel(const Layer& layer, CudaContext& context, const KernelSettings& settings)
      : in_(layer.input.elements()),
        units_(layer.attrs.integer("units")),
        epilogue_(layer.attrs, units_, context, settings.fused_epilogues),
        stream_(context.stream()),
        cublas_(context.cublas()),
        math_(matrix_math(settings.precision)) {
    if (!settings.fused_epilogues) return;
    fused_forward_.emplace(context, settings.precision, epilogue_.product_epilogue(), Stored::as_is, Stored::transposed);
    fused_weight_gradient_.emplace(context, settings.precision, Epilogue::left_row_sums, Stored::transposed, Stored::as_is);
  }

  void forward(const ForwardArgs& args) override {
    if (fused_forward_ && fused_forward_->run(args.input, args.params[0], args.output, {args.batch, units_, in_}, args.params[1])) {
      epilogue_.finish_forward(stream_, args, args.batch, units_);
      return;
    }
    gemm(cublas_, math_, args.input, Stored::as_is, args.params[0], Stored::transposed, args.output, args.batch, units_, in_);
    epilogue_.forward(stream_, args, args.batch, units_);
  }

  void backward(const BackwardArgs& args) override {
    const float* dy = args.output_gradient;
    float* dw = args.param_gradients[0];
    float* db = args.param_gradients[1];
    // dW (units, in) = dy^T x, and db = the sums of dy's columns: the rows of dy^T. Summed in the
    // product where cuBLASLt can; else in the same pass as the activation's derivative.
    const MatmulShape weight_gradient{units_, in_, args.batch};
    const bool sums_in_product = fused_weight_gradient_ && fused_weight_gradient_->has_plan(dy, args.input, dw, weight_gradient, db);
    if (sums_in_product) {
      epilogue_.fold_activation_derivative(stream_, args, args.batch, units_);
    } else {
      epilogue_.backward(stream_, args, args.batch, units_);
    }
    if (!sums_in_product || !fused_weight_gradient_->run(dy, args.input, dw, weight_gradient, db)) {
      gemm(cublas_, math_, dy, Stored::transposed, args.input, Stored::as_is, dw, units_, in_, args.batch);
      // cuBLASLt refused, when it ran, the algorithm it had named.
      if (sums_in_product) epilogue_.bias_gradient(stream_, args, args.batch, units_);
    }
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
  std::optional<EpilogueMatmul> fused_forward_;          // x W^T + b, relu'd for relu layers, with fusion on
  std::optional<EpilogueMatmul> fused_weight_gradient_;  // dy^T x and db, with fusion on
};

}  // namespace

std::unique_ptr<LayerKernel> make_dense_kernel(const Layer& layer, CudaContext& context, const KernelSettings& settings) {
  return std::make_unique<DenseKernel>(layer, context, settings);
}

}  // namespace gpufm::cuda
