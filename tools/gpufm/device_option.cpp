#include "device_option.hpp"

#include "value_checks.hpp"

namespace gpufm::cli {

void add_device_option(CLI::App& command, DeviceOptions& options) {
  const CLI::Validator device_name = expecting(std::string(device_spellings), "{auto,cpu,cuda,cuda:N}",
                                               [](const std::string& text) { return parse_device(text).has_value(); });
  command
      .add_option("--device", options.device,
                  "auto: the first GPU when one can be used, else the CPU; cpu; cuda: the first GPU; cuda:N: GPU N (exit code 3 when it "
                  "cannot be had)")
      ->check(device_name)
      ->capture_default_str();
  command.add_flag("--eager", options.eager,
                   "Launch every step's kernels one by one instead of replaying the step captured as a CUDA graph (slower; for comparison)");
  command.add_flag("--unfused", options.unfused,
                   "Run bias and activation in kernels of their own instead of fused into cuBLASLt's matrix products, cuDNN's convolutions and one backward pass, and each dropout apart from the layer before it (slower; for comparison)");
}

SelectedBackend select_device(const DeviceOptions& options) {
  SelectedBackend selected = select_backend(options.device);
  const auto configure = [options](Backend& backend) {
    backend.set_step_graphs(!options.eager);
    backend.set_fused_epilogues(!options.unfused);
  };
  configure(*selected.backend);
  selected.make_another = [make = std::move(selected.make_another), configure] {
    std::unique_ptr<Backend> backend = make();
    configure(*backend);
    return backend;
  };
  return selected;
}

}  // namespace gpufm::cli
