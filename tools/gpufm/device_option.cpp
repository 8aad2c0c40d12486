#include "device_option.hpp"

namespace gpufm::cli {

void add_device_option(CLI::App& command, std::string& device) {
  command.add_option("--device", device, "auto: the GPU when one can be used, else the CPU; cpu; cuda")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}))
      ->capture_default_str();
}

}  // namespace gpufm::cli
