#include "gpufm/evaluate.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <numeric>
#include <stdexcept>

#include "gpufm/checkpoint.hpp"
#include "gpufm/format.hpp"
#include "gpufm/run.hpp"
#include "io/record_json.hpp"

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
  if (request.predictions && graph.train.target == Target::input) {
    throw InputError("--predictions: model '" + graph.name +
                     "' reproduces its input and has no classes to predict; gpufm reconstruct shows its outputs");
  }
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

  EvalResult result{.model = graph.name,
                    .checkpoint = sources.checkpoint,
                    .epochs_done = checkpoint.epochs_done,
                    .test = program.evaluate(images, test_ids, program.num_classes() > 0),
                    .class_names = {},
                    .report = {},
                    .predictions = {}};
  if (program.num_classes() > 0) {
    result.class_names = class_names_for(data, program.num_classes());
    result.report = classification_report(result.test.confusion, result.class_names);
  }
  if (request.predictions) {
    result.predictions = TestPredictions{.labels = std::vector<std::int32_t>(data.test.labels.begin(), data.test.labels.end()),
                                         .outputs = program.predict(images, ids, graph.layers.size() - 1),
                                         .classes = program.num_classes()};
  }
  return result;
}

std::string eval_json(const EvalResult& result) {
  // Ordered, so that the classes keep their order as in scikit-learn's dictionary.
  nlohmann::ordered_json json = {{"model", result.model},
                                 {"checkpoint", result.checkpoint.string()},
                                 {"epochs_done", result.epochs_done},
                                 {"loss", result.test.loss},
                                 {"samples", result.test.samples}};
  if (result.report) {
    json["accuracy"] = result.test.accuracy;
    json["classification_report"] = *result.report;
    json["confusion_matrix"] = confusion_matrix_json(result.test.confusion, result.class_names.size());
  }
  return json.dump();
}

std::string predictions_csv(const EvalResult& result) {
  if (!result.predictions) throw std::logic_error("predictions_csv: the evaluation kept no predictions");
  const TestPredictions& p = *result.predictions;
  std::string csv = "index,label,predicted";
  for (const std::string& name : result.class_names) csv.append(",").append(csv_cell(name));
  csv += "\n";
  const auto count = static_cast<std::int64_t>(p.labels.size());
  for (std::int64_t n = 0; n < count; ++n) {
    const float* outputs = p.outputs.data() + n * p.classes;
    const auto predicted = std::max_element(outputs, outputs + p.classes) - outputs;
    csv.append(std::to_string(n)).append(",").append(std::to_string(p.labels[static_cast<std::size_t>(n)]));
    csv.append(",").append(std::to_string(predicted));
    for (std::int64_t c = 0; c < p.classes; ++c) {
      char number[32];
      const std::to_chars_result written = std::to_chars(std::begin(number), std::end(number), outputs[c]);  // the float's shortest digits
      csv.append(",").append(number, written.ptr);
    }
    csv += "\n";
  }
  return csv;
}

}  // namespace gpufm
