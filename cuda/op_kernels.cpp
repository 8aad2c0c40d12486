#include "cuda/op_kernels.hpp"

#include <stdexcept>
#include <string>
#include <utility>

#include "gpufm/graph.hpp"
#include "ops/view_kernel.hpp"

namespace gpufm::cuda {

namespace {

// Views compute nothing on any backend.
std::unique_ptr<LayerKernel> make_cuda_view_kernel(const Layer& layer, CudaContext&, const KernelSettings&) { return make_view_kernel(layer); }

constexpr std::pair<std::string_view, CudaKernelFactory> cuda_kernels[] = {
    {"dense", make_dense_kernel},
    {"conv2d", make_conv2d_kernel},
    {"conv2d_transpose", make_conv2d_transpose_kernel},
    {"maxpool", make_maxpool_kernel},
    {"avgpool", make_avgpool_kernel},
    {"upsample", make_upsample_kernel},
    {"batchnorm", make_batchnorm_kernel},
    {"dropout", make_dropout_kernel},
    {"relu", make_activation_kernel},
    {"sigmoid", make_activation_kernel},
    {"tanh", make_activation_kernel},
    {"softmax", make_activation_kernel},
    {"leaky_relu", make_activation_kernel},
    {"flatten", make_cuda_view_kernel},
    {"reshape", make_cuda_view_kernel},
};

}  // namespace

CudaKernelFactory find_cuda_kernel(std::string_view keyword) {
  for (const auto& [name, factory] : cuda_kernels) {
    if (name == keyword) return factory;
  }
  return nullptr;
}

std::unique_ptr<LayerKernel> make_cuda_kernel(const Layer& layer, CudaContext& context, const KernelSettings& settings) {
  const CudaKernelFactory factory = find_cuda_kernel(layer.op->keyword);
  if (factory == nullptr) throw std::logic_error("op '" + std::string(layer.op->keyword) + "' has no CUDA kernel");
  return factory(layer, context, settings);
}

}  // namespace gpufm::cuda
