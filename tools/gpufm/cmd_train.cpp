// `gpufm train FILE [--data DIR] [--epochs N] [--set K=V]... [--device D] [--seed S] [--out DIR]`
// and `gpufm train --resume RUN_DIR [--epochs N]`.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <optional>

#include "commands.hpp"
#include "data_options.hpp"
#include "device_option.hpp"
#include "gpufm/device.hpp"
#include "gpufm/format.hpp"
#include "gpufm/monitor.hpp"
#include "gpufm/run.hpp"
#include "model_options.hpp"
#include "progress.hpp"

namespace gpufm::cli {

namespace {

struct TrainOptions {
  ModelOptions model;
  DataOptions data;
  std::optional<std::int64_t> epochs;
  std::string device = "auto";
  std::uint64_t seed = 42;
  std::string out;
  std::string resume;
  bool json = false;
};

std::string figure(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4f", value);
  return text;
}

std::string validation_text(const RunStart& start) {
  if (!start.has_validation) return "";
  if (start.graph.train.validate_on_test) return ", validating on the test split";
  return ", validating on the last " + with_commas(static_cast<std::int64_t>(start.data.train.count) - start.train_samples);
}

void print_start(std::ostream& out, const RunStart& start, const std::string& device_why, std::uint64_t seed) {
  const Dataset& data = start.data;
  out << "Model: " << start.graph.name << " (" << with_commas(start.graph.param_count()) << " parameters), "
      << describe(start.graph.train) << "\n";
  out << "Data: " << (data.name.empty() ? "IDX set" : data.name) << " from " << data.train.images_path.parent_path().string() << ", "
      << with_commas(start.train_samples) << " training images" << validation_text(start) << "\n";
  out << "Device: " << start.backend << " (" << device_why << ")\n";
  out << "Run: " << start.run_dir.path().string() << " (seed " << seed << ")";
  if (start.first_epoch > 1) out << ", resuming at epoch " << start.first_epoch;
  out << "\n" << std::flush;
}

void print_result(std::ostream& out, const RunResult& result, bool classifier) {
  if (result.restored_epoch > 0 && result.restored_epoch != result.history.back().epoch) {
    out << "Restored the parameters of the best epoch, " << result.restored_epoch << "\n";
  }
  out << "Test (final model): loss " << figure(result.test.loss);
  if (classifier) out << " - accuracy " << figure(result.test.accuracy);
  out << " on " << with_commas(result.test.samples) << " images\n";
  if (result.best_epoch > 0) {
    const EpochRecord& best = result.history[static_cast<std::size_t>(result.best_epoch - 1)];
    out << "Best epoch " << result.best_epoch << " (" << name(result.best_epoch_monitor) << " "
        << figure(monitored_value(best, result.best_epoch_monitor)) << "): " << (result.run_dir / "best.safetensors").string() << "\n";
  }
}

}  // namespace

void add_train_command(CLI::App& root) {
  auto options = std::make_shared<TrainOptions>();
  CLI::App* command = root.add_subcommand("train", "Train a model and write a run directory (checkpoints, history, metrics)");
  add_model_options(*command, options->model, false);
  add_data_options(*command, options->data);
  command->add_option("--epochs", options->epochs, "Epochs to train (overrides the model file's)")->check(CLI::Range(1, 1000000));
  add_device_option(*command, options->device);
  command->add_option("--seed", options->seed, "Seed of initial weights, shuffling and dropout")->capture_default_str();
  command->add_option("--out", options->out, "Run directory (default: runs/<model>-<timestamp>)");
  command->add_option("--resume", options->resume, "Continue the run in this directory from its last checkpoint");
  command->add_flag("--json", options->json, "Print the run's figures as one JSON object on stdout (progress goes to stderr)");
  command->callback([options] {
    if (options->resume.empty() == options->model.file.empty()) {
      throw InputError(options->resume.empty() ? "a model file is required (or --resume RUN_DIR)"
                                               : "--resume continues a run with its own model; give no model file");
    }
    SelectedBackend selected = select_backend(options->device);
    std::ostream& log = options->json ? std::cerr : std::cout;
    Progress progress(log, isatty(options->json ? STDERR_FILENO : STDOUT_FILENO) != 0);
    RunEvents events{.started =
                         [&](const RunStart& start) {
                           print_start(log, start, selected.why, options->seed);
                           progress.show_learning_rate(start.graph.train.schedule.has_value());
                         },
                     .training = progress.events()};
    RunResult result;
    if (options->resume.empty()) {
      std::vector<dsl::Override> overrides = options->model.parsed_overrides();
      if (options->epochs) overrides.push_back({"epochs", std::to_string(*options->epochs)});
      result = run_training(RunRequest{options->model.file, overrides, resolve_data_paths(options->data), options->seed, options->out},
                            *selected.backend, events);
    } else {
      result = resume_training(options->resume, options->epochs, *selected.backend, events);
    }
    const bool classifier = !result.history.empty() && result.history.back().accuracy.has_value();
    print_result(log, result, classifier);
    if (options->json) std::cout << RunDirectory::open(result.run_dir).read("metrics.json");
  });
}

}  // namespace gpufm::cli
