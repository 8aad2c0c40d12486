// Which GPUs this process can use, asked of the driver at run time: a build with the CUDA
// backend still runs, on its CPU backend, where there is no GPU or no driver.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
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

// The backend for --device: "cpu"; "cuda" (an InputError saying why when it cannot be had);
// "auto", the GPU when one can be used, else the CPU. `why` says in words what was chosen and why.
struct SelectedBackend {
  std::unique_ptr<Backend> backend;
  std::string why;
  bool gpu = false;
  std::function<std::unique_ptr<Backend>()> make_another;  // on the same device (a study's members side by side)
};
SelectedBackend select_backend(std::string_view device);

}  // namespace gpufm
