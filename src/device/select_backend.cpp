#include "gpufm/device.hpp"
#include "gpufm/error.hpp"

namespace gpufm {

SelectedBackend select_backend(std::string_view device) {
  if (device == "cpu") return {make_cpu_backend(), "--device cpu"};
  if (device != "auto" && device != "cuda") throw InputError("--device " + std::string(device) + ": expected auto, cpu or cuda");
  const GpuProbe probe = probe_gpus();
  if (probe.gpus.empty()) {
    if (device == "cuda") throw InputError("--device cuda: no usable GPU: " + probe.why_none + "; use --device cpu");
    return {make_cpu_backend(), "no usable GPU: " + probe.why_none};
  }
  const GpuInfo& gpu = probe.gpus.front();
  const std::string which = "GPU " + std::to_string(gpu.index) + " of " + std::to_string(probe.gpus.size());
  if (device == "cuda") return {make_cuda_backend(gpu), "--device cuda, " + which};
  // auto: a GPU that is there but cannot be used (a driver too old for this build, say) leaves
  // the CPU, and the reason is shown.
  try {
    return {make_cuda_backend(gpu), "--device auto, " + which};
  } catch (const DeviceError& error) {
    return {make_cpu_backend(), "GPU " + gpu.name + " could not be used: " + error.what()};
  }
}

}  // namespace gpufm
