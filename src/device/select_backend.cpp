#include "gpufm/device.hpp"
#include "gpufm/error.hpp"

namespace gpufm {

namespace {

SelectedBackend on_cpu(std::string why) { return {make_cpu_backend(), std::move(why), false, make_cpu_backend}; }

SelectedBackend on_gpu(const GpuInfo& gpu, std::string why) {
  return {make_cuda_backend(gpu), std::move(why), true, [gpu] { return make_cuda_backend(gpu); }};
}

}  // namespace

SelectedBackend select_backend(std::string_view device) {
  if (device == "cpu") return on_cpu("--device cpu");
  if (device != "auto" && device != "cuda") throw InputError("--device " + std::string(device) + ": expected auto, cpu or cuda");
  const GpuProbe probe = probe_gpus();
  if (probe.gpus.empty()) {
    if (device == "cuda") throw InputError("--device cuda: no usable GPU: " + probe.why_none + "; use --device cpu");
    return on_cpu("no usable GPU: " + probe.why_none);
  }
  const GpuInfo& gpu = probe.gpus.front();
  const std::string which = "GPU " + std::to_string(gpu.index) + " of " + std::to_string(probe.gpus.size());
  if (device == "cuda") return on_gpu(gpu, "--device cuda, " + which);
  // auto: a GPU that is there but cannot be used (a driver too old for this build, say) leaves
  // the CPU, and the reason is shown.
  try {
    return on_gpu(gpu, "--device auto, " + which);
  } catch (const DeviceError& error) {
    return on_cpu("GPU " + gpu.name + " could not be used: " + error.what());
  }
}

}  // namespace gpufm
