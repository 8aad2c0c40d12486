// --device auto|cpu|cuda, shared by the commands that run a model.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace gpufm::cli {

void add_device_option(CLI::App& command, std::string& device);

}  // namespace gpufm::cli
