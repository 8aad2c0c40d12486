#include "gpufm/run.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <map>
#include <numeric>
#include <string_view>

#include "gpufm/checkpoint.hpp"
#include "gpufm/nvtx.hpp"
#include "gpufm/reconstruct.hpp"
#include "gpufm/run_report.hpp"
#include "gpufm/summary.hpp"
#include "gpufm/tensorboard_log.hpp"
#include "io/record_json.hpp"

namespace gpufm {

namespace {

using nlohmann::json;

// The schedule's settings that its kind uses; null without a schedule.
json schedule_json(const std::optional<ScheduleSettings>& schedule) {
  if (!schedule) return nullptr;
  json j = {{"name", name(schedule->kind)}};
  switch (schedule->kind) {
    case ScheduleKind::step: j.update({{"every", schedule->every}, {"factor", schedule->factor}}); break;
    case ScheduleKind::exponential: j["rate"] = schedule->rate; break;
    case ScheduleKind::cosine: j["min_lr"] = schedule->min_lr; break;
    case ScheduleKind::plateau:
      j.update({{"monitor", name(schedule->monitor)}, {"factor", schedule->factor}, {"patience", schedule->patience},
                {"min_delta", schedule->min_delta}, {"cooldown", schedule->cooldown}, {"min_lr", schedule->min_lr}});
      break;
  }
  return j;
}

json early_stopping_json(const std::optional<EarlyStoppingSettings>& early_stopping) {
  if (!early_stopping) return nullptr;
  json j = {{"monitor", name(early_stopping->monitor)}, {"patience", early_stopping->patience},
            {"min_delta", early_stopping->min_delta}, {"restore_best", early_stopping->restore_best},
            {"start_from_epoch", early_stopping->start_from_epoch}};
  if (early_stopping->baseline) j["baseline"] = *early_stopping->baseline;
  return j;
}

// The precision, with fp16's loss scaling.
json precision_json(const TrainSettings& t) {
  json j = {{"name", name(t.precision)}};
  if (t.precision == Precision::fp16) j.update({{"initial_scale", t.loss_scale.initial}, {"growth_steps", t.loss_scale.growth_steps}});
  return j;
}

json fine_tune_json(const std::optional<FineTuneSettings>& fine_tune) {
  if (!fine_tune) return nullptr;
  return {{"epochs", fine_tune->epochs}, {"lr", fine_tune->lr}};
}

// The transforms of the training images; null when none is on.
json augment_json(const AugmentSettings& augment) {
  if (!augment.any()) return nullptr;
  return {{"shift", augment.shift}, {"rotate", augment.rotate}, {"flip_horizontal", augment.flip_horizontal},
          {"flip_vertical", augment.flip_vertical}, {"noise", augment.noise}};
}

// The model's variables after the overrides, as written: what the model's layers were made of.
json variables_json(const dsl::Model& model) {
  json variables = json::object();
  for (const dsl::Variable& variable : model.variables) {
    variables[variable.name] = variable.value.kind == dsl::Value::Kind::string ? variable.value.text : dsl::to_source(variable.value);
  }
  return variables;
}

// The optimizer's name and its own hyperparameters (sgd has no beta1, adam no momentum).
json optimizer_json(const OptimizerSettings& o) {
  const std::map<std::string_view, json> values = {{"lr", o.lr},       {"momentum", o.momentum}, {"nesterov", o.nesterov},
                                                   {"beta1", o.beta1}, {"beta2", o.beta2},       {"rho", o.rho},
                                                   {"epsilon", o.epsilon}, {"weight_decay", o.weight_decay}};
  json optimizer = {{"name", name(o.kind)}};
  for (const ArgSpec& spec : named_statement_signature("optimizer", name(o.kind))) {
    if (const auto value = values.find(spec.name); value != values.end()) optimizer[std::string(spec.name)] = value->second;
  }
  return optimizer;
}

json settings_json(const RunRequest& request, const std::vector<dsl::Override>& applied, const dsl::Model& model, const Graph& graph,
                   const std::string& backend) {
  const TrainSettings& t = graph.train;
  json overrides = json::array();
  for (const dsl::Override& override : applied) overrides.push_back(override.key + "=" + override.value);
  json validation = t.validation;
  if (t.validate_on_test) validation = "test";
  if (request.split) validation = "split.json";
  return {
      {"gpufm_version", GPUFM_VERSION},
      {"model", graph.name},
      {"model_file", request.model_file.string()},
      {"overrides", overrides},
      {"variables", variables_json(model)},
      {"seed", request.seed},
      {"backend", backend},
      {"data", request.data},
      {"train",
       {{"loss", name(t.loss)}, {"target", name(t.target)}, {"batch", t.batch}, {"epochs", t.epochs},
        {"validation", validation},
        {"optimizer", optimizer_json(t.optimizer)},
        {"schedule", schedule_json(t.schedule)},
        {"early_stopping", early_stopping_json(t.early_stopping)},
        {"augment", augment_json(t.augment)},
        {"precision", precision_json(t)},
        {"on_nan", name(t.on_nan)},
        {"fine_tune", fine_tune_json(t.fine_tune)}}},
  };
}

// A given split validates on its held-out ids: the model's validation setting becomes their
// fraction, so that the settings, their checks and the model as used say the run validates.
std::vector<dsl::Override> applied_overrides(const RunRequest& request) {
  std::vector<dsl::Override> overrides = request.overrides;
  if (request.split) {
    const auto held_out = static_cast<double>(request.split->validation.size());
    char fraction[32];
    std::snprintf(fraction, sizeof fraction, "%g", held_out / (held_out + static_cast<double>(request.split->train.size())));
    overrides.push_back({"validation", fraction});
  }
  return overrides;
}

}  // namespace

std::optional<SplitIds> recorded_split(const RunDirectory& run_dir) {
  if (!std::filesystem::exists(run_dir.split_file())) return std::nullopt;
  try {
    const json split = json::parse(run_dir.read("split.json"));
    return SplitIds{split.at("train").get<std::vector<std::int32_t>>(), split.at("validation").get<std::vector<std::int32_t>>()};
  } catch (const json::exception& e) {
    throw malformed_json(run_dir.split_file(), "split", e);
  }
}

namespace {

json epoch_json(const EpochRecord& r) {
  json j = {{"epoch", r.epoch}, {"loss", r.loss}};
  if (r.accuracy) j["accuracy"] = *r.accuracy;
  if (r.val_loss) j["val_loss"] = *r.val_loss;
  if (r.val_accuracy) j["val_accuracy"] = *r.val_accuracy;
  return j;
}

// What a run directory holds when training stops in an epoch it has not saved.
std::string kept_files(const Trainer& trainer) {
  if (trainer.epochs_done() == 0) return "nothing was saved in ";
  return "kept the checkpoint of epoch " + std::to_string(trainer.epochs_done()) + " and the best one, of epoch " +
         std::to_string(trainer.best_epoch()) + ", in ";
}

// Each class's images in the parts trained on and validated on (none when validating on the test
// split) and in the test split.
ClassCounts split_class_counts(const Dataset& data, const Trainer& trainer, std::size_t classes) {
  std::vector<std::int32_t> test_ids(data.test.count);
  std::iota(test_ids.begin(), test_ids.end(), 0);
  const std::span<const std::int32_t> validation_ids = trainer.validation_id_list();
  return {.train = count_classes(data.train.labels, trainer.train_id_list(), classes),
          .validation = validation_ids.empty() ? std::vector<std::int64_t>{} : count_classes(data.train.labels, validation_ids, classes),
          .test = count_classes(data.test.labels, test_ids, classes)};
}

// Trains from where the trainer stands, writing history and checkpoints after every epoch,
// then evaluates on the test split and writes metrics.json. Interrupted, it saves the
// checkpoint of the last step instead and throws Interrupted.
RunResult train_into(const RunDirectory& run_dir, const Graph& graph, const Dataset& data, Trainer& trainer, Backend& backend,
                     std::vector<EpochRecord> history, const RunEvents& events) {
  if (events.started) {
    events.started(RunStart{graph, data, run_dir, backend.describe(), trainer.train_samples(), trainer.has_validation(),
                            std::filesystem::exists(run_dir.split_file()), trainer.epochs_done() + 1,
                            trainer.program().epoch_progress().steps_done + 1});
  }
  trainer.program().set_observer(events.step_observer);
  const bool classifier = trainer.program().num_classes() > 0;
  RunReport report{.model = graph.name,
                   .model_summary = format_summary(graph, trainer.program().plan()),
                   .settings_json = run_dir.read("settings.json"),
                   .history = history,
                   .best_epoch = trainer.best_epoch(),
                   .best_epoch_monitor = trainer.best_epoch_monitor(),
                   .test = std::nullopt,
                   .class_names = classifier ? class_names_for(data, trainer.program().num_classes()) : data.class_names,
                   .class_samples = class_sample_strips(data.test, static_cast<std::int64_t>(data.class_names.size()), 8),
                   .class_counts = {},
                   .reconstructions = std::nullopt};
  report.class_counts = split_class_counts(data, trainer, report.class_names.size());
  TensorBoardLog tensorboard(run_dir.path(), trainer.has_validation());
  if (history.empty() && !report.class_samples.empty()) tensorboard.image("samples", 1, image_grid(report.class_samples, 1, 2, 255));
  TrainingEvents training = events.training;
  training.epoch_end = [&](const EpochRecord& record) {
    const Plan& plan = trainer.program().plan();
    Checkpoint checkpoint;  // the parameters read back once, for the checkpoints and the histograms
    {
      // Time on the disk between epochs, named on the profiler's timeline as the epochs are.
      const nvtx::Range range("save", record.epoch);
      // The history first: a resume replays it up to the checkpoint's epoch, so it must never
      // fall behind the checkpoint.
      history.push_back(record);
      run_dir.write_history(history);
      checkpoint = trainer.checkpoint();
      if (trainer.best_epoch() == record.epoch) save_checkpoint(run_dir.best_file(), graph, plan, checkpoint);
      save_checkpoint(run_dir.checkpoint_file(), graph, plan, checkpoint);
    }
    {
      const nvtx::Range range("report", record.epoch);
      tensorboard.parameters(record.epoch, graph, plan, checkpoint.params);
      report.history = history;
      report.best_epoch = trainer.best_epoch();
      if (graph.train.target == Target::input) {
        // The images validated on, where there are some: the same ones for every trial of a sweep.
        const Reconstructions reconstructions = reconstruct(trainer, data, trainer.has_validation(), 10);
        report.reconstructions = reconstructions.picture(std::string(trainer.has_validation() ? "validation" : "test") +
                                                         " images and their reconstructions");
        tensorboard.image("reconstructions", record.epoch, reconstructions.grid());
      }
      write_run_report(run_dir.path(), report);
      tensorboard.epoch(record);
    }
    if (events.training.epoch_end) events.training.epoch_end(record);
  };
  try {
    trainer.fit(training);
  } catch (const Diverged& e) {
    const bool stops = graph.train.on_nan == NanPolicy::stop;
    throw Diverged(std::string(e.what()) + "; " + kept_files(trainer) + run_dir.path().string() + "; lower the learning rate" +
                   (stops ? ", or skip such steps with --on-nan skip-step" : ""));
  }
  if (trainer.interrupted()) {
    // The history as after an epoch (it is not there yet when the first epoch is interrupted);
    // best.safetensors stays the best epoch's.
    run_dir.write_history(history);
    save_checkpoint(run_dir.checkpoint_file(), graph, trainer.program().plan(), trainer.checkpoint());
    throw Interrupted("interrupted at epoch " + std::to_string(trainer.epochs_done() + 1) + ", step " +
                          std::to_string(trainer.program().epoch_progress().steps_done) + "/" + std::to_string(trainer.steps_per_epoch()) +
                          "; saved " + run_dir.path().string(),
                      run_dir.path());
  }

  RunResult result{.run_dir = run_dir.path(),
                   .history = history,
                   .best_epoch = trainer.best_epoch(),
                   .best_epoch_monitor = trainer.best_epoch_monitor(),
                   .restored_epoch = trainer.restores_best() ? trainer.best_epoch() : 0,
                   .test = trainer.evaluate_test(classifier)};
  report.test = result.test;
  write_run_report(run_dir.path(), report);
  double seconds = 0, samples = 0;
  for (const EpochRecord& r : history) {
    seconds += r.seconds;
    samples += static_cast<double>(r.samples);
  }
  // Ordered: the classes of the test's classification report keep their order.
  nlohmann::ordered_json metrics = {{"model", graph.name},
                  {"run_dir", run_dir.path().string()},
                  {"epochs", history.empty() ? 0 : history.back().epoch},
                  {"stopped_early", trainer.stopped_early()},
                  {"best_epoch", result.best_epoch},
                  {"test", {{"loss", result.test.loss}, {"samples", result.test.samples}}},
                  {"seconds_per_epoch", history.empty() ? 0.0 : seconds / static_cast<double>(history.size())},
                  {"train_images_per_second", seconds > 0 ? samples / seconds : 0.0},
                  {"backend", backend.describe()}};
  if (trainer.stopped_early()) metrics["stopped_epoch"] = history.back().epoch;
  if (result.restored_epoch > 0) metrics["restored_epoch"] = result.restored_epoch;
  if (trainer.program().num_classes() > 0) {
    metrics["test"]["accuracy"] = result.test.accuracy;
    metrics["test"]["classification_report"] = classification_report(result.test.confusion, report.class_names);
    metrics["test"]["confusion_matrix"] = confusion_matrix_json(result.test.confusion, report.class_names.size());
  }
  if (!history.empty()) {
    metrics["final"] = epoch_json(history.back());
    metrics["best"] = epoch_json(history[static_cast<std::size_t>(result.best_epoch - 1)]);
  }
  run_dir.write("metrics.json", metrics.dump(2) + "\n");
  return result;
}

}  // namespace

RunResult run_training(const RunRequest& request, Backend& backend, const RunEvents& events) {
  const std::vector<dsl::Override> overrides = applied_overrides(request);
  dsl::Model model = dsl::parse_file(request.model_file);
  dsl::apply_overrides(model, overrides);
  dsl::import_blocks(model);
  const Graph graph = compile(model);
  const Dataset data = load_dataset(request.data);
  Trainer trainer(graph, data, backend, request.split);
  trainer.start(request.seed);  // before the run directory: a block's missing source leaves none behind
  const RunDirectory run_dir = RunDirectory::create(request.out, graph.name);
  run_dir.write("model.dsl", "# " + request.model_file.string() + " as used\n" + dsl::to_source(model));
  run_dir.write("settings.json", settings_json(request, overrides, model, graph, backend.describe()).dump(2) + "\n");
  if (request.split) {
    run_dir.write("split.json", json{{"train", request.split->train}, {"validation", request.split->validation}}.dump() + "\n");
  }
  return train_into(run_dir, graph, data, trainer, backend, {}, events);
}

RecordedRun read_recorded_run(const RunDirectory& run_dir) {
  try {
    const json settings = json::parse(run_dir.read("settings.json"));
    return RecordedRun{settings.at("model").get<std::string>(), settings.at("data").get<DataPaths>()};
  } catch (const json::exception& e) {
    throw malformed_json(run_dir.settings_file(), "settings", e);
  }
}

Graph compile_recorded_model(const RunDirectory& run_dir, const std::vector<dsl::Override>& overrides) {
  Graph graph = compile_file(run_dir.model_file(), overrides);
  graph.name = read_recorded_run(run_dir).model;
  return graph;
}

std::unique_ptr<TrainedRun> open_trained_run(const std::filesystem::path& path, bool best, Target target, const std::string& command,
                                             Backend& backend) {
  const RunDirectory run_dir = RunDirectory::open(path);
  Graph graph = compile_recorded_model(run_dir);
  if (graph.train.target != target) {
    throw InputError(run_dir.model_file().string() + ": the model's target is its " + std::string(name(graph.train.target)) + "; " +
                     command + " takes " + (target == Target::labels ? "a classifier (target labels)" : "an autoencoder (target input)"));
  }
  auto run = std::make_unique<TrainedRun>(std::move(graph), load_dataset(read_recorded_run(run_dir).data), recorded_split(run_dir), backend);
  run->checkpoint_file = best ? run_dir.best_file() : run_dir.checkpoint_file();
  const Checkpoint checkpoint = load_checkpoint(run->checkpoint_file, run->graph, run->trainer.program().plan());
  run->trainer.program().write_params(checkpoint.params);
  run->checkpoint_epoch = checkpoint.epochs_done;
  return run;
}

RunResult resume_training(const std::filesystem::path& path, std::optional<std::int64_t> epochs, Backend& backend,
                          const RunEvents& events) {
  const RunDirectory run_dir = RunDirectory::open(path);
  std::vector<dsl::Override> overrides;
  if (epochs) overrides.push_back({"epochs", std::to_string(*epochs)});
  const Graph graph = compile_recorded_model(run_dir, overrides);
  const Dataset data = load_dataset(read_recorded_run(run_dir).data);
  Trainer trainer(graph, data, backend, recorded_split(run_dir));
  const Plan& plan = trainer.program().plan();
  const Checkpoint checkpoint = load_checkpoint(run_dir.checkpoint_file(), graph, plan);
  // The history may hold one epoch past the checkpoint, if the run stopped between the two.
  std::vector<EpochRecord> history = run_dir.read_history();
  history.resize(static_cast<std::size_t>(std::min<std::int64_t>(checkpoint.epochs_done, static_cast<std::int64_t>(history.size()))));
  std::vector<float> best_params;
  if (trainer.restores_best()) best_params = load_checkpoint(run_dir.best_file(), graph, plan).params;
  trainer.resume(checkpoint, history, std::move(best_params));
  return train_into(run_dir, graph, data, trainer, backend, history, events);
}

}  // namespace gpufm
