// The CUDA version of each op: a factory per op keyword, listed in op_kernels.cpp beside the
// op table (src/ops/op_table.cpp). A test checks that every op has one.
#pragma once

#include <memory>
#include <string_view>

#include "cuda/context.hpp"
#include "gpufm/layer_kernel.hpp"
#include "gpufm/precision.hpp"

namespace gpufm {
struct Layer;
}

namespace gpufm::cuda {

// How the backend was asked to run its layers: matrix products and convolutions in `precision`'s
// arithmetic (whether they may use tensor cores), and bias and activation in the epilogue of
// cuBLASLt's products where it can (off to measure what that saves, Backend::set_fused_epilogues).
struct KernelSettings {
  Precision precision = Precision::fp32;
  bool fused_epilogues = true;
};

using CudaKernelFactory = std::unique_ptr<LayerKernel> (*)(const Layer& layer, CudaContext& context, const KernelSettings& settings);

CudaKernelFactory find_cuda_kernel(std::string_view keyword);  // nullptr when the op has none
std::unique_ptr<LayerKernel> make_cuda_kernel(const Layer& layer, CudaContext& context, const KernelSettings& settings);

// One per op, in cuda/ops/NAME.cu.
std::unique_ptr<LayerKernel> make_dense_kernel(const Layer& layer, CudaContext& context, const KernelSettings& settings);
std::unique_ptr<LayerKernel> make_conv2d_kernel(const Layer& layer, CudaContext& context, const KernelSettings& settings);
std::unique_ptr<LayerKernel> make_conv2d_transpose_kernel(const Layer& layer, CudaContext& context, const KernelSettings& settings);
std::unique_ptr<LayerKernel> make_maxpool_kernel(const Layer& layer, CudaContext& context, const KernelSettings& settings);
std::unique_ptr<LayerKernel> make_avgpool_kernel(const Layer& layer, CudaContext& context, const KernelSettings& settings);
std::unique_ptr<LayerKernel> make_upsample_kernel(const Layer& layer, CudaContext& context, const KernelSettings& settings);
std::unique_ptr<LayerKernel> make_batchnorm_kernel(const Layer& layer, CudaContext& context, const KernelSettings& settings);
std::unique_ptr<LayerKernel> make_dropout_kernel(const Layer& layer, CudaContext& context, const KernelSettings& settings);
std::unique_ptr<LayerKernel> make_activation_kernel(const Layer& layer, CudaContext& context, const KernelSettings& settings);  // relu, sigmoid, ...

}  // namespace gpufm::cuda
