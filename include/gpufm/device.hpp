// Which GPUs this process can use, asked of the driver at run time: a build with the CUDA
// backend still runs, on its CPU backend, where there is no GPU or no driver.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <string>
#include <vector>

#include "gpufm/backend.hpp"

namespace gpufm {

struct GpuInfo {
  int index = 0;
  std::string name;
  std::size_t total_memory = 0;  // bytes
  int major = 0, minor = 0;      // compute capability
};

struct GpuProbe {
  bool cuda_built = false;       // this binary has the CUDA backend
  std::vector<GpuInfo> gpus;     // empty when none can be used
  std::string why_none;          // when gpus is empty: the driver's answer, in words
};

GpuProbe probe_gpus();

// The CUDA backend on one of the probed GPUs (only a CUDA build has one).
std::unique_ptr<Backend> make_cuda_backend(const GpuInfo& gpu);

// --device's value: "auto", "cpu", "cuda" (the first GPU) or PyTorch's "cuda:N" (GPU N, as the
// driver numbers those CUDA_VISIBLE_DEVICES leaves); nullopt for anything else.
struct DeviceChoice {
  enum class Kind { automatic, cpu, cuda } kind = Kind::automatic;
  int gpu_index = 0;  // for cuda
};
std::optional<DeviceChoice> parse_device(std::string_view device);
// What parse_device takes, in words for an error message.
inline constexpr std::string_view device_spellings = "auto, cpu, cuda or cuda:N (N a GPU's number, from 0)";

// The backend for --device: "cpu"; "cuda" or "cuda:N" (NoGpu saying why when it cannot be had);
// "auto", the first GPU when one can be used, else the CPU. `why` says in words what was chosen
// and why.
struct SelectedBackend {
  std::unique_ptr<Backend> backend;
  std::string why;
  bool gpu = false;
  std::function<std::unique_ptr<Backend>()> make_another;  // on the same device (a study's members side by side)
};
SelectedBackend select_backend(std::string_view device);

}  // namespace gpufm
