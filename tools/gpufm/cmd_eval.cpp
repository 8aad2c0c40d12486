// `gpufm eval RUN_OR_CHECKPOINT [--best] [--model FILE] [--data DIR] [--json]`: the test split's
// loss and accuracy, confusion matrix and per-class report.
#include <cstdio>
#include <iostream>

#include "commands.hpp"
#include "data_options.hpp"
#include "device_option.hpp"
#include "gpufm/device.hpp"
#include "gpufm/evaluate.hpp"
#include "gpufm/format.hpp"

namespace gpufm::cli {

namespace {

struct EvalOptions {
  std::string target;
  bool best = false;
  std::string model;
  DataOptions data;
  std::string device = "auto";
  bool json = false;
};

void print_eval(const EvalResult& result) {
  char figures[96];
  std::snprintf(figures, sizeof figures, "loss: %.4f", result.test.loss);
  std::cout << "Model " << result.model << ", " << result.checkpoint.string() << " (after " << result.epochs_done << " epochs), on "
            << with_commas(result.test.samples) << " test images\n"
            << figures;
  if (result.report) {
    std::snprintf(figures, sizeof figures, " - accuracy: %.4f", result.test.accuracy);
    std::cout << figures << "\n\nConfusion matrix (rows: true class, columns: predicted)\n"
              << format_confusion_matrix(result.test.confusion, result.class_names) << "\n"
              << format_classification_report(*result.report);
  } else {
    std::cout << "\n";
  }
}

}  // namespace

void add_eval_command(CLI::App& root) {
  auto options = std::make_shared<EvalOptions>();
  CLI::App* command = root.add_subcommand("eval", "Evaluate a trained model on the test split");
  command->add_option("run", options->target, "A run directory, or a .safetensors checkpoint")->required();
  command->add_flag("--best", options->best, "Use the run's best checkpoint rather than its latest");
  command->add_option("--model", options->model, "Model file, for a checkpoint outside its run directory");
  CLI::Option* data = command->add_option("--data", options->data.dir, "Data directory (default: the run's data)");
  add_data_file_options(*command, options->data, data);
  add_device_option(*command, options->device);
  command->add_flag("--json", options->json, "Print the figures as one JSON object");
  command->callback([options, command] {
    EvalRequest request{options->target, options->best, options->model, std::nullopt};
    if (command->count("--data") > 0 || command->count("--train-images") > 0) request.data = resolve_data_paths(options->data);
    SelectedBackend selected = select_backend(options->device);
    const EvalResult result = evaluate_checkpoint(request, *selected.backend);
    if (options->json) {
      std::cout << eval_json(result) << "\n";
    } else {
      print_eval(result);
    }
  });
}

}  // namespace gpufm::cli
