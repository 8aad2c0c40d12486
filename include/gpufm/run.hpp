// One training run, start to finish, as `gpufm train` does it: compile the model, load the data,
// train, write the run directory each epoch, evaluate the final model on the test split.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gpufm/dsl.hpp"
#include "gpufm/run_dir.hpp"
#include "gpufm/trainer.hpp"

namespace gpufm {

struct RunRequest {
  std::filesystem::path model_file;
  std::vector<dsl::Override> overrides;
  DataPaths data;
  std::uint64_t seed = 42;
  std::filesystem::path out;  // the run directory; empty for runs/<model>-<timestamp>
  // Validates on this split's held-out ids instead of the model's validation setting (a k-fold
  // member's folds); the setting becomes their fraction, so the records say the run validates.
  std::optional<SplitIds> split;
};

// What a run reports before it starts training, for the CLI's header.
struct RunStart {
  const Graph& graph;
  const Dataset& data;
  const RunDirectory& run_dir;
  std::string backend;
  std::int64_t train_samples = 0;
  bool has_validation = false;
  bool split_given = false;  // validating on the held-out ids of RunRequest::split
  std::int64_t first_epoch = 1;
  std::int64_t first_step = 1;  // of first_epoch: later than 1 when resuming a run stopped within it
};

struct RunEvents {
  std::function<void(const RunStart&)> started;
  TrainingEvents training;
  StepObserver* step_observer = nullptr;  // told of each training step's phases (a profiler's capture range)
};

struct RunResult {
  std::filesystem::path run_dir;
  std::vector<EpochRecord> history;
  std::int64_t best_epoch = 0;  // the epoch of best.safetensors
  Monitor best_epoch_monitor = Monitor::val_loss;  // the figure it is best by
  std::int64_t restored_epoch = 0;  // the epoch whose parameters early stopping restored; 0 if none
  PassMetrics test;                 // the final model on the test split
};

// Throws Interrupted, having saved a checkpoint to resume from, when events.training.stop_requested
// stops it.
RunResult run_training(const RunRequest& request, Backend& backend, const RunEvents& events);

// What a run's settings.json records: the model's name and the data files it was trained on.
struct RecordedRun {
  std::string model;
  DataPaths data;
};
RecordedRun read_recorded_run(const RunDirectory& run_dir);

// The training and validation ids the run was given (its split.json: a k-fold member's), if any.
std::optional<SplitIds> recorded_split(const RunDirectory& run_dir);

// The run's model.dsl compiled under the model's own name.
Graph compile_recorded_model(const RunDirectory& run_dir, const std::vector<dsl::Override>& overrides = {});

// A finished run opened to use its model (reconstruct, explain): its model as recorded, its data,
// and a trainer on its split holding the parameters of its latest checkpoint, or of
// best.safetensors with `best`. Members in this order: the trainer refers to the two before it.
struct TrainedRun {
  TrainedRun(Graph recorded_graph, Dataset recorded_data, std::optional<SplitIds> split, Backend& backend)
      : graph(std::move(recorded_graph)), data(std::move(recorded_data)), trainer(graph, data, backend, std::move(split)) {}

  Graph graph;
  Dataset data;
  Trainer trainer;
  std::filesystem::path checkpoint_file;
  std::int64_t checkpoint_epoch = 0;
};
// InputError when the model's target is not `target`, naming what `command` takes.
std::unique_ptr<TrainedRun> open_trained_run(const std::filesystem::path& run_dir, bool best, Target target, const std::string& command,
                                             Backend& backend);

// Continues a stopped run from its checkpoint to its epoch count (or `epochs` when given),
// with the same model, data, seed and split; an interrupted one from the step it stopped after.
RunResult resume_training(const std::filesystem::path& run_dir, std::optional<std::int64_t> epochs, Backend& backend,
                          const RunEvents& events);

}  // namespace gpufm
