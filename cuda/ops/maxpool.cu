// maxpool on the GPU: cuda/ops/maxpool.hpp's rules, one thread an element.
#include "cuda/gather_kernel.cuh"
#include "cuda/op_kernels.hpp"
#include "cuda/ops/maxpool.hpp"

namespace gpufm::cuda {

std::unique_ptr<LayerKernel> make_maxpool_kernel(const Layer& layer, CudaContext& context, const KernelSettings&) {
  return std::make_unique<GatherKernel<MaxPooling>>(layer, context, MaxPooling{pool_windows(layer)});
}

}  // namespace gpufm::cuda
