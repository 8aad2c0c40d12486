// A classifier's mistakes explained by neighbours: for misclassified test images, the training
// images nearest to each in the model's feature space, of its true class ("local examples") and of
// the class it was taken for ("counterexamples"), beside the class pairs most often confused. For
// `gpufm explain RUN [--k 5] [--n 12] [--layer NAME] [--best]` and the run's report.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "gpufm/backend.hpp"
#include "gpufm/charts.hpp"
#include "gpufm/dataset.hpp"
#include "gpufm/graph.hpp"
#include "gpufm/image.hpp"
#include "gpufm/trainer.hpp"

namespace gpufm {

// The most misclassified images one explanation shows: a row of the picture each.
inline constexpr std::int64_t most_explained_images = 100;
// The most confused class pairs it lists.
inline constexpr std::size_t confused_pairs_listed = 10;

// Each query's k nearest references (Backend::nearest_neighbours on host values): query_count x k
// indices into the references and their squared distances, nearest first, padded with index -1
// and distance +infinity where a class has fewer than k references.
struct NeighbourLists {
  std::vector<std::int32_t> indices;
  std::vector<float> distances;
};
NeighbourLists find_neighbours(Backend& backend, std::span<const float> queries, std::span<const std::int32_t> wanted_classes,
                               std::span<const float> references, std::span<const std::int32_t> reference_classes,
                               std::int64_t dimension, std::int64_t k);

// The layer whose outputs are the feature space: the one named, or when `name` is empty the input
// of the last dense layer (the output of the layer before it). InputError naming the layer and
// listing the layers when there is none such.
std::size_t feature_layer(const Graph& graph, const std::string& name);

struct ConfusedPair {
  std::int32_t true_class = 0, predicted_class = 0;
  std::int64_t count = 0;  // test images of the true class taken for the predicted one
};

// The off-diagonal cells of a confusion matrix (classes x classes, row: true class) that are not
// zero, the largest first (ties in row, then column order), at most `count` of them.
std::vector<ConfusedPair> most_confused_pairs(std::span<const std::int64_t> confusion, std::int64_t classes, std::size_t count);

// A training image near a test image; images are in the explanation, not in its record.
struct Neighbour {
  std::int32_t id = 0;  // into the training set
  float distance = 0;   // squared Euclidean, in the feature space
  Image image;
};

struct ExplainedImage {
  std::int32_t id = 0;  // into the test split
  std::int32_t true_class = 0, predicted_class = 0;
  double confidence = 0;  // the model's output for the predicted class
  Image image;
  // The nearest training images of each class, nearest first: k, or as many as were trained on.
  std::vector<Neighbour> local_examples;   // of the true class
  std::vector<Neighbour> counterexamples;  // of the predicted class
};

struct Explanation {
  std::string layer;           // whose outputs are the feature space
  std::int64_t dimension = 0;  // features per image
  std::int64_t k = 0;
  std::string checkpoint;      // the parameters explained: "best.safetensors (epoch 3)"
  std::int64_t test_images = 0, misclassified = 0;
  std::int64_t training_images = 0;  // searched: those trained on
  std::vector<std::string> class_names;
  std::vector<ExplainedImage> images;  // the most confidently wrong first (ties in test order)
  std::vector<ConfusedPair> confused_pairs;

  // The class's name, or its number where the data names fewer classes than the model has.
  std::string class_name(std::int32_t c) const;
};

struct ExplainOptions {
  std::int64_t k = 5;        // neighbours of each class: 1 to most_neighbours
  std::int64_t count = 12;   // misclassified images: 1 to most_explained_images
  std::string layer;         // the feature layer's name; empty for the input of the last dense layer
};

// The trainer's model (its parameters as they are) on the whole test split: its mistakes, the
// most confidently wrong `count` of them with their neighbours among the images trained on, and
// the most confused pairs. InputError for options out of range or an unknown layer.
Explanation explain(Trainer& trainer, const Dataset& data, const ExplainOptions& options);

struct ExplainRequest {
  std::filesystem::path run_dir;
  ExplainOptions options;
  bool best = false;  // best.safetensors rather than the latest checkpoint
};

// A run's classifier, from its checkpoint, on its own data and split. InputError for a model
// whose target is its input.
Explanation explain_run(const ExplainRequest& request, Backend& backend);

// A row per explained image: the test image, its local examples, then its counterexamples, each
// with its distance under it.
Picture draw_explanation(const Explanation& explanation);

// The record: everything but the images (which the ids name), as JSON.
std::string explanation_json(const Explanation& explanation);
// A record read back (without images); InputError naming the file when it is not one.
Explanation read_explanation(const std::filesystem::path& file);

// `stem`.svg, `stem`.png and `stem`.json, each written atomically. A run directory's own
// (RUN/explain) is shown in its report.
void write_explanation(const std::filesystem::path& stem, const Explanation& explanation);

}  // namespace gpufm
