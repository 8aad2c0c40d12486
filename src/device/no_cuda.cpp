#include "gpufm/device.hpp"

namespace gpufm {

GpuProbe probe_gpus() {
  return GpuProbe{.cuda_built = false, .gpus = {}, .why_none = "built without the CUDA backend (-DGPUFM_CUDA=OFF)"};
}

}  // namespace gpufm
