#include <cuda_runtime_api.h>

#include "gpufm/device.hpp"

namespace gpufm {

// No error is thrown here: having no GPU is a normal answer, reported in words.
GpuProbe probe_gpus() {
  GpuProbe probe{.cuda_built = true, .gpus = {}, .why_none = {}};
  int count = 0;
  if (cudaError_t status = cudaGetDeviceCount(&count); status != cudaSuccess) {
    probe.why_none = std::string("cudaGetDeviceCount: ") + cudaGetErrorString(status);
    return probe;
  }
  for (int i = 0; i < count; ++i) {
    cudaDeviceProp prop{};
    if (cudaError_t status = cudaGetDeviceProperties(&prop, i); status != cudaSuccess) {
      probe.why_none = std::string("cudaGetDeviceProperties: ") + cudaGetErrorString(status);
      probe.gpus.clear();
      return probe;
    }
    probe.gpus.push_back(GpuInfo{.index = i, .name = prop.name, .total_memory = prop.totalGlobalMem,
                                 .major = prop.major, .minor = prop.minor});
  }
  if (probe.gpus.empty()) probe.why_none = "the driver reports no CUDA device";
  return probe;
}

}  // namespace gpufm
