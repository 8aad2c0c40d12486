#include "device_option.hpp"

namespace gpufm::cli {

void add_device_option(CLI::App& command, DeviceOptions& options) {
  command.add_option("--device", options.device, "auto: the GPU when one can be used, else the CPU; cpu; cuda")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}))
      ->capture_default_str();
  command.add_flag("--eager", options.eager,
                   "Launch every step's kernels one by one instead of replaying the step captured as a CUDA graph (slower; for comparison)");
}

SelectedBackend select_device(const DeviceOptions& options) {
  SelectedBackend selected = select_backend(options.device);
  const bool step_graphs = !options.eager;
  selected.backend->set_step_graphs(step_graphs);
  selected.make_another = [make = std::move(selected.make_another), step_graphs] {
    std::unique_ptr<Backend> backend = make();
    backend->set_step_graphs(step_graphs);
    return backend;
  };
  return selected;
}

}  // namespace gpufm::cli
