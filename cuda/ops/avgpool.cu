// avgpool on the GPU: cuda/ops/avgpool.hpp's rules, one thread an element.
#include "cuda/gather_kernel.cuh"
#include "cuda/op_kernels.hpp"
#include "cuda/ops/avgpool.hpp"

namespace gpufm::cuda {

std::unique_ptr<LayerKernel> make_avgpool_kernel(const Layer& layer, CudaContext& context, const KernelSettings&) {
  return std::make_unique<GatherKernel<AveragePooling>>(layer, context, AveragePooling{pool_windows(layer)});
}

}  // namespace gpufm::cuda
