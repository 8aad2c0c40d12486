// `gpufm eval RUN_OR_CHECKPOINT [--best] [--model FILE] [--data DIR] [--json] [--predictions CSV]`:
// the test split's loss and accuracy, confusion matrix and per-class report, and each image's
// prediction on request.
#include <algorithm>
#include <iostream>

#include "commands.hpp"
#include "data_options.hpp"
#include "device_option.hpp"
#include "eval_output.hpp"
#include "gpufm/atomic_file.hpp"
#include "gpufm/device.hpp"
#include "gpufm/evaluate.hpp"

namespace gpufm::cli {

namespace {

struct EvalOptions {
  std::string target;
  bool best = false;
  std::string model;
  DataOptions data;
  DeviceOptions device;
  bool json = false;
  std::string predictions;  // a CSV file to write
};

}  // namespace

void add_eval_command(CLI::App& root) {
  auto options = std::make_shared<EvalOptions>();
  CLI::App* command = root.add_subcommand("eval", "Evaluate a trained model on the test split");
  command->add_option("run", options->target, "A run directory, or a .safetensors checkpoint")->required();
  command->add_flag("--best", options->best, "Use the run's best checkpoint rather than its latest");
  command->add_option("--model", options->model, "Model file, for a checkpoint outside its run directory");
  CLI::Option* data = command->add_option(
      "--data", options->data.dir, "Data directory (default: the run's data; for a checkpoint outside a run, " + std::string(default_data_dir) + ")");
  add_data_file_options(*command, options->data, data);
  // gpufm.toml's model and data are what the training commands take; eval's are the run's own.
  constexpr const char* data_flags[] = {"--data", "--train-images", "--train-labels", "--test-images", "--test-labels"};
  command->get_option("--model")->configurable(false);
  for (const char* flag : data_flags) command->get_option(flag)->configurable(false);
  add_device_option(*command, options->device);
  command->add_flag("--json", options->json, "Print the figures as one JSON object");
  command->add_option("--predictions", options->predictions,
                      "Write each test image's label, prediction and class outputs (probabilities) to this CSV file");
  command->callback([options, command, data_flags] {
    EvalRequest request{options->target, options->best, options->model, std::nullopt, !options->predictions.empty()};
    if (std::ranges::any_of(data_flags, [&](const char* flag) { return command->count(flag) > 0; })) {
      request.data = resolve_data_paths(options->data);  // all four files or none, as every command takes them
    }
    SelectedBackend selected = select_device(options->device);
    const EvalResult result = evaluate_checkpoint(request, *selected.backend);
    if (result.predictions) write_file_atomically(options->predictions, predictions_csv(result));
    if (options->json) {
      std::cout << eval_json(result) << "\n";
    } else {
      print_eval(std::cout, result);
      if (result.predictions) std::cout << "Predictions: " << options->predictions << "\n";
    }
  });
}

}  // namespace gpufm::cli
