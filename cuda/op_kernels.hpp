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

// `precision` says whether matrix products and convolutions may use tensor cores.
using CudaKernelFactory = std::unique_ptr<LayerKernel> (*)(const Layer& layer, CudaContext& context, Precision precision);

CudaKernelFactory find_cuda_kernel(std::string_view keyword);  // nullptr when the op has none
std::unique_ptr<LayerKernel> make_cuda_kernel(const Layer& layer, CudaContext& context, Precision precision);

// One per op, in cuda/ops/NAME.cu.
std::unique_ptr<LayerKernel> make_dense_kernel(const Layer& layer, CudaContext& context, Precision precision);
std::unique_ptr<LayerKernel> make_conv2d_kernel(const Layer& layer, CudaContext& context, Precision precision);
std::unique_ptr<LayerKernel> make_conv2d_transpose_kernel(const Layer& layer, CudaContext& context, Precision precision);
std::unique_ptr<LayerKernel> make_maxpool_kernel(const Layer& layer, CudaContext& context, Precision precision);
std::unique_ptr<LayerKernel> make_avgpool_kernel(const Layer& layer, CudaContext& context, Precision precision);
std::unique_ptr<LayerKernel> make_upsample_kernel(const Layer& layer, CudaContext& context, Precision precision);
std::unique_ptr<LayerKernel> make_batchnorm_kernel(const Layer& layer, CudaContext& context, Precision precision);
std::unique_ptr<LayerKernel> make_dropout_kernel(const Layer& layer, CudaContext& context, Precision precision);
std::unique_ptr<LayerKernel> make_activation_kernel(const Layer& layer, CudaContext& context, Precision precision);  // relu, sigmoid, ...

}  // namespace gpufm::cuda
