#include "gpufm/evaluate.hpp"

#include <nlohmann/json.hpp>

#include <numeric>

#include "gpufm/checkpoint.hpp"
#include "gpufm/run.hpp"

namespace gpufm {

namespace {

struct Sources {
  Graph graph;
  std::filesystem::path checkpoint;
  DataPaths data;
};

// A run as it recorded itself: its model under its name, and its data unless others are named.
Sources run_sources(const RunDirectory& run_dir, std::filesystem::path checkpoint, const EvalRequest& request) {
  return {compile_recorded_model(run_dir), std::move(checkpoint), request.data.value_or(read_recorded_run(run_dir).data)};
}

Sources find_sources(const EvalRequest& request) {
  std::error_code status;
  const std::filesystem::path& path = request.run_or_checkpoint;
  if (std::filesystem::is_directory(path, status)) {
    const RunDirectory run_dir = RunDirectory::open(path);
    if (!request.model_file.empty()) {
      throw InputError("--model " + request.model_file.string() + ": a run is evaluated with its own model (" +
                       run_dir.model_file().string() + "); --model is for a checkpoint outside a run directory");
    }
    return run_sources(run_dir, request.best ? run_dir.best_file() : run_dir.checkpoint_file(), request);
  }
  if (!std::filesystem::is_regular_file(path, status)) throw InputError(path.string() + ": no such run directory or checkpoint");
  // A checkpoint inside a run directory is evaluated as that run, unless --model names another model.
  const std::filesystem::path beside = path.parent_path().empty() ? "." : path.parent_path();
  if (request.model_file.empty() && std::filesystem::is_regular_file(beside / "settings.json", status)) {
    return run_sources(RunDirectory::open(beside), path, request);
  }
  const std::filesystem::path model = request.model_file.empty() ? beside / "model.dsl" : request.model_file;
  if (request.model_file.empty() && !std::filesystem::is_regular_file(model, status)) {
    throw InputError(path.string() + ": no model.dsl beside this checkpoint; name the model with --model FILE");
  }
  return {compile_file(model), path, request.data.value_or(find_data_files(default_data_dir))};
}

}  // namespace

EvalResult evaluate_checkpoint(const EvalRequest& request, Backend& backend) {
  const Sources sources = find_sources(request);
  const Graph& graph = sources.graph;
  Program program(graph, backend, graph.train.batch);
  const Checkpoint checkpoint = load_checkpoint(sources.checkpoint, graph, program.plan());
  program.initialize(checkpoint.seed);
  program.write_params(checkpoint.params);

  const Dataset data = load_dataset(sources.data);
  if (program.num_classes() > 0) check_labels(data.test, static_cast<int>(program.num_classes()));
  const DeviceImages images = program.upload(data.test);
  std::vector<std::int32_t> ids(data.test.count);
  std::iota(ids.begin(), ids.end(), 0);
  const DeviceIds test_ids = program.upload_ids(ids);

  EvalResult result{.model = graph.name, .checkpoint = sources.checkpoint, .epochs_done = checkpoint.epochs_done,
                    .test = program.evaluate(images, test_ids, program.num_classes() > 0), .class_names = {}, .report = {}};
  if (program.num_classes() > 0) {
    result.class_names = class_names_for(data, program.num_classes());
    result.report = classification_report(result.test.confusion, result.class_names);
  }
  return result;
}

std::string eval_json(const EvalResult& result) {
  nlohmann::json json = {{"model", result.model},
                         {"checkpoint", result.checkpoint.string()},
                         {"epochs_done", result.epochs_done},
                         {"loss", result.test.loss},
                         {"samples", result.test.samples}};
  if (result.report) {
    json["accuracy"] = result.test.accuracy;
    nlohmann::json classes = nlohmann::json::array();
    for (const ClassScores& s : result.report->classes) {
      classes.push_back({{"name", s.name}, {"precision", s.precision}, {"recall", s.recall}, {"f1", s.f1}, {"support", s.support}});
    }
    json["classes"] = classes;
    json["macro_avg"] = {{"precision", result.report->macro_average.precision}, {"recall", result.report->macro_average.recall},
                         {"f1", result.report->macro_average.f1}};
    json["weighted_avg"] = {{"precision", result.report->weighted_average.precision},
                            {"recall", result.report->weighted_average.recall},
                            {"f1", result.report->weighted_average.f1}};
    const auto n = static_cast<std::ptrdiff_t>(result.class_names.size());
    nlohmann::json matrix = nlohmann::json::array();
    for (std::ptrdiff_t r = 0; r < n; ++r) {
      matrix.push_back(std::vector<std::int64_t>(result.test.confusion.begin() + r * n, result.test.confusion.begin() + (r + 1) * n));
    }
    json["confusion_matrix"] = matrix;
  }
  return json.dump();
}

}  // namespace gpufm
