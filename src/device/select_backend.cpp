#include "gpufm/device.hpp"

#include <charconv>

#include "gpufm/error.hpp"

namespace gpufm {

namespace {

SelectedBackend on_cpu(std::string why) { return {make_cpu_backend(), std::move(why), false, make_cpu_backend}; }

SelectedBackend on_gpu(const GpuInfo& gpu, std::string why) {
  return {make_cuda_backend(gpu), std::move(why), true, [gpu] { return make_cuda_backend(gpu); }};
}

}  // namespace

std::optional<DeviceChoice> parse_device(std::string_view device) {
  if (device == "auto") return DeviceChoice{DeviceChoice::Kind::automatic};
  if (device == "cpu") return DeviceChoice{DeviceChoice::Kind::cpu};
  if (device == "cuda") return DeviceChoice{DeviceChoice::Kind::cuda};
  constexpr std::string_view cuda_prefix = "cuda:";
  if (device.starts_with(cuda_prefix)) {
    const std::string_view digits = device.substr(cuda_prefix.size());
    int index = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
    if (!digits.empty() && error == std::errc() && end == digits.data() + digits.size() && index >= 0) {
      return DeviceChoice{DeviceChoice::Kind::cuda, index};
    }
  }
  return std::nullopt;
}

SelectedBackend select_backend(std::string_view device) {
  const std::optional<DeviceChoice> parsed = parse_device(device);
  if (!parsed) throw InputError("--device " + std::string(device) + ": expected " + std::string(device_spellings));
  const DeviceChoice choice = *parsed;
  if (choice.kind == DeviceChoice::Kind::cpu) return on_cpu("--device cpu");
  const GpuProbe probe = probe_gpus();
  if (probe.gpus.empty()) {
    if (choice.kind == DeviceChoice::Kind::cuda) {
      throw NoGpu("--device " + std::string(device) + ": no usable GPU: " + probe.why_none + "; use --device cpu");
    }
    return on_cpu("no usable GPU: " + probe.why_none);
  }
  const auto count = static_cast<int>(probe.gpus.size());
  if (choice.gpu_index >= count) {
    const std::string gpus =
        count == 1 ? "1 usable GPU, cuda:0" : std::to_string(count) + " usable GPUs, cuda:0 to cuda:" + std::to_string(count - 1);
    throw NoGpu("--device " + std::string(device) + ": this machine has " + gpus);
  }
  const GpuInfo& gpu = probe.gpus[static_cast<std::size_t>(choice.gpu_index)];
  const std::string which = "GPU " + std::to_string(gpu.index) + " of " + std::to_string(count);
  if (choice.kind == DeviceChoice::Kind::cuda) return on_gpu(gpu, "--device " + std::string(device) + ", " + which);
  // auto: a GPU that is there but cannot be used (a driver too old for this build, say) leaves
  // the CPU, and the reason is shown.
  try {
    return on_gpu(gpu, "--device auto, " + which);
  } catch (const DeviceError& error) {
    return on_cpu("GPU " + gpu.name + " could not be used: " + error.what());
  }
}

}  // namespace gpufm
