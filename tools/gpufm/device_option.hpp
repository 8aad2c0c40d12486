// --device auto|cpu|cuda|cuda:N, --eager and --unfused, shared by the commands that run a model.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "gpufm/device.hpp"

namespace gpufm::cli {

struct DeviceOptions {
  std::string device = "auto";
  bool eager = false;    // every step's calls one by one, none captured as a CUDA graph
  bool unfused = false;  // bias, activation and dropout in kernels of their own, not in the layers' products and passes
};

void add_device_option(CLI::App& command, DeviceOptions& options);

// The backend --device asks for, running steps (its own and the others it makes) as --eager and
// --unfused ask.
SelectedBackend select_device(const DeviceOptions& options);

}  // namespace gpufm::cli
