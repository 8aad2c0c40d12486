// `gpufm train [FILE] [--data DIR] [--epochs N] [--set K=V]... [--device D] [--seed S] [--out DIR]
// [--profile-steps A:B]` and `gpufm train --resume RUN_DIR [--epochs N]`. Without FILE, the model
// is gpufm.toml's, else models/cnn.dsl.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <optional>

#include "commands.hpp"
#include "config_file.hpp"
#include "device_option.hpp"
#include "gpufm/device.hpp"
#include "gpufm/format.hpp"
#include "gpufm/monitor.hpp"
#include "gpufm/profiler_capture.hpp"
#include "gpufm/run.hpp"
#include "interrupt.hpp"
#include "progress.hpp"
#include "training_options.hpp"

namespace gpufm::cli {

namespace {

struct TrainOptions {
  TrainingOptions training;
  std::string resume;
  bool json = false;
  std::string profile_steps;
};

std::string validation_text(const RunStart& start) {
  if (!start.has_validation) return "";
  if (start.graph.train.validate_on_test) return ", validating on the test split";
  const std::string held_out = with_commas(static_cast<std::int64_t>(start.data.train.count) - start.train_samples);
  if (start.split_given) return ", validating on " + held_out + " held out by its split.json";
  return ", validating on the last " + held_out;
}

void print_start(std::ostream& out, const RunStart& start, const std::string& device_why, std::uint64_t seed) {
  const Dataset& data = start.data;
  out << "Model: " << start.graph.name << " (" << with_commas(start.graph.param_count()) << " parameters), "
      << describe(start.graph.train) << "\n";
  out << "Data: " << (data.name.empty() ? "IDX set" : data.name) << " from " << data.train.images_path.parent_path().string() << ", "
      << with_commas(start.train_samples) << " training images" << validation_text(start) << "\n";
  out << "Device: " << start.backend << " (" << device_why << ")\n";
  out << "Run: " << start.run_dir.path().string() << " (seed " << seed << ")";
  if (start.first_epoch > 1 || start.first_step > 1) out << ", resuming at epoch " << start.first_epoch;
  if (start.first_step > 1) out << " step " << start.first_step;
  out << "\n" << std::flush;
}

void print_result(std::ostream& out, const RunResult& result, bool classifier) {
  if (result.restored_epoch > 0 && result.restored_epoch != result.history.back().epoch) {
    out << "Restoring model weights from the end of the best epoch: " << result.restored_epoch << ".\n";  // Keras' words
  }
  out << "Test (final model): loss " << figure_text(result.test.loss);
  if (classifier) out << " - accuracy " << figure_text(result.test.accuracy);
  out << " on " << with_commas(result.test.samples) << " images\n";
  if (result.best_epoch > 0) {
    const EpochRecord& best = result.history[static_cast<std::size_t>(result.best_epoch - 1)];
    out << "Best epoch " << result.best_epoch << " (" << name(result.best_epoch_monitor) << " "
        << figure_text(monitored_value(best, result.best_epoch_monitor)) << "): " << (result.run_dir / "best.safetensors").string() << "\n";
  }
}

}  // namespace

void add_train_command(CLI::App& root) {
  auto options = std::make_shared<TrainOptions>();
  CLI::App* command = root.add_subcommand("train", "Train a model and write a run directory (checkpoints, history, metrics)");
  add_training_options(*command, options->training, "Seed of initial weights, shuffling and dropout",
                       "Run directory (default: runs/<model>-<timestamp>)");
  command->add_option("--resume", options->resume, "Continue the run in this directory from its last checkpoint");
  command->add_flag("--json", options->json, "Print the run's figures as one JSON object on stdout (progress goes to stderr)");
  command->add_option("--profile-steps", options->profile_steps,
                      "FIRST:LAST: start the profiler's capture (cudaProfilerStart) at training step FIRST and stop it after LAST, "
                      "for nsys --capture-range=cudaProfilerApi (scripts/profile.sh)");
  command->callback([options, command] {
    const TrainingOptions& training = options->training;
    if (!options->resume.empty()) {
      refuse_flags_when_resuming(*command, {"--resume", "--epochs", "--device", "--eager", "--unfused", "--json", "--profile-steps"},
                                 "--resume continues the run with its own model, settings, data and seed");
    }
    SelectedBackend selected = select_device(training.device);
    std::ostream& log = options->json ? std::cerr : std::cout;
    Progress progress(log, isatty(options->json ? STDERR_FILENO : STDOUT_FILENO) != 0);
    RunEvents events{.started =
                         [&](const RunStart& start) {
                           print_start(log, start, selected.why, training.seed);
                           progress.follow(start.graph.train);
                         },
                     .training = progress.events()};
    stop_on_interrupt(events.training);
    std::optional<ProfilerCapture> capture;
    if (!options->profile_steps.empty()) {
      capture.emplace(parse_step_range(options->profile_steps), [&selected](bool on) { selected.backend->set_profiler_capture(on); });
      events.step_observer = &*capture;
    }
    RunResult result;
    try {
      if (options->resume.empty()) {
        const std::filesystem::path model = model_file(training);
        log << sources_line(*command, training, model) << "\n";
        result = run_training(RunRequest{model, training.overrides(), resolve_data_paths(training.data), training.seed, training.out, {}},
                              *selected.backend, events);
      } else {
        result = resume_training(options->resume, training.epochs, *selected.backend, events);
      }
    } catch (const Interrupted& e) {
      throw Interrupted(std::string(e.what()) + "; resume with: gpufm train --resume " + e.run_dir().string(), e.run_dir());
    }
    const bool classifier = !result.history.empty() && result.history.back().accuracy.has_value();
    print_result(log, result, classifier);
    if (options->json) std::cout << RunDirectory::open(result.run_dir).read("metrics.json");
  });
}

}  // namespace gpufm::cli
