// --device auto|cpu|cuda and --eager, shared by the commands that run a model.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "gpufm/device.hpp"

namespace gpufm::cli {

struct DeviceOptions {
  std::string device = "auto";
  bool eager = false;  // every step's calls one by one, none captured as a CUDA graph
};

void add_device_option(CLI::App& command, DeviceOptions& options);

// The backend --device asks for, as --eager asks it to run steps (and the others it makes).
SelectedBackend select_device(const DeviceOptions& options);

}  // namespace gpufm::cli
