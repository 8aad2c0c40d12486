#include <stdexcept>

#include "gpufm/device.hpp"

namespace gpufm {

GpuProbe probe_gpus() {
  return GpuProbe{.cuda_built = false, .gpus = {}, .why_none = "built without the CUDA backend (-DGPUFM_CUDA=OFF)"};
}

// Never reached: this build's probe finds no GPU.
std::unique_ptr<Backend> make_cuda_backend(const GpuInfo&) { throw std::logic_error("built without the CUDA backend"); }

}  // namespace gpufm
