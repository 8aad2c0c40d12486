// upsample on the GPU: cuda/ops/upsample.hpp's rules, one thread an element.
#include "cuda/gather_kernel.cuh"
#include "cuda/op_kernels.hpp"
#include "cuda/ops/upsample.hpp"

namespace gpufm::cuda {

std::unique_ptr<LayerKernel> make_upsample_kernel(const Layer& layer, CudaContext& context, const KernelSettings&) {
  return std::make_unique<GatherKernel<Upsampling>>(layer, context, upsampling(layer));
}

}  // namespace gpufm::cuda
