#include "gpufm/device.hpp"
#include "gpufm/error.hpp"

namespace gpufm {

SelectedBackend select_backend(std::string_view device) {
  if (device == "cpu") return {make_cpu_backend(), "--device cpu"};
  const GpuProbe probe = probe_gpus();
  const std::string gpu_state = probe.gpus.empty() ? "no usable GPU: " + probe.why_none
                                                   : "GPU " + probe.gpus.front().name + " found, but this build has no CUDA training backend yet";
  if (device == "cuda") throw InputError("--device cuda: " + gpu_state + "; use --device cpu");
  if (device == "auto") return {make_cpu_backend(), gpu_state};
  throw InputError("--device " + std::string(device) + ": expected auto, cpu or cuda");
}

}  // namespace gpufm
