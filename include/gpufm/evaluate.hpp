// `gpufm eval`: a trained model on the test split, with the figures a classifier's user reads.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "gpufm/classification_report.hpp"
#include "gpufm/program.hpp"

namespace gpufm {

struct EvalRequest {
  std::filesystem::path run_or_checkpoint;  // a run directory, or a .safetensors checkpoint
  bool best = false;                        // a run's best.safetensors rather than its latest checkpoint
  std::filesystem::path model_file;         // for a checkpoint outside a run directory
  std::optional<DataPaths> data;            // default: the run's data, else the default directory
  bool predictions = false;                 // keep every test image's outputs (a classifier's)
};

// A classifier's outputs for each test image, in the test split's order, as Keras' predict gives them.
struct TestPredictions {
  std::vector<std::int32_t> labels;
  std::vector<float> outputs;  // labels.size() x classes
  std::int64_t classes = 0;
};

struct EvalResult {
  std::string model;
  std::filesystem::path checkpoint;
  std::int64_t epochs_done = 0;
  PassMetrics test;
  std::vector<std::string> class_names;        // empty for a model whose target is its input
  std::optional<ClassificationReport> report;  // classifiers
  std::optional<TestPredictions> predictions;  // when the request asked for them
};

EvalResult evaluate_checkpoint(const EvalRequest& request, Backend& backend);

// The key figures as one JSON object: loss, accuracy, the per-class scores as scikit-learn's
// classification_report(output_dict=True) gives them ("classification_report": each class's name,
// then "accuracy", "macro avg" and "weighted avg", with "f1-score"), the confusion matrix.
std::string eval_json(const EvalResult& result);

// The predictions as CSV, a row per test image: `index,label,predicted,` then the model's output
// for each class under the class's name (its probability, behind a softmax). The prediction is
// the first largest output, as accuracy counts it.
std::string predictions_csv(const EvalResult& result);

}  // namespace gpufm
