// `gpufm bench [FILE] [--epochs N] [--data DIR] [--set KEY=VALUE]... [--device D] [--seed S]`: the
// model trained as its file says, without a run directory, and one JSON line on stdout of its
// speed and test figures (scripts/bench.sh sets it beside PyTorch's). What it took goes to stderr.
#include <iostream>

#include "commands.hpp"
#include "gpufm/bench.hpp"
#include "gpufm/device.hpp"
#include "training_options.hpp"

namespace gpufm::cli {

void add_bench_command(CLI::App& root) {
  auto options = std::make_shared<TrainingOptions>();
  CLI::App* command =
      root.add_subcommand("bench", "Train a model and print one JSON line of its speed (images/s, ms a step, memory) and test figures");
  add_model_run_options(*command, *options, "Seed of initial weights, shuffling and dropout");
  add_epochs_option(*command, *options);
  command->callback([options, command] {
    const SelectedBackend selected = select_device(options->device);
    const std::filesystem::path model = model_file(*options);
    std::cerr << sources_line(*command, *options, model) << "\n";
    std::cerr << "Device: " << selected.backend->describe() << " (" << selected.why << ")\n";
    const Graph graph = compile_file(model, options->overrides());
    const Dataset data = load_dataset(resolve_data_paths(options->data));
    std::cout << bench_json(bench_training(graph, data, *selected.backend, options->seed));
  });
}

}  // namespace gpufm::cli
