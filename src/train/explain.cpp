#include "gpufm/explain.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <stdexcept>

#include "gpufm/atomic_file.hpp"
#include "gpufm/checkpoint.hpp"
#include "gpufm/format.hpp"
#include "gpufm/neighbour_list.hpp"
#include "gpufm/run.hpp"
#include "io/record_json.hpp"

namespace gpufm {

namespace {

using nlohmann::json;

template <class T>
DeviceBuffer uploaded(Backend& backend, std::span<const T> values) {
  DeviceBuffer buffer = backend.allocate(values.size_bytes());
  backend.copy_to_device(buffer.as(), values.data(), values.size_bytes());
  return buffer;
}

template <class T>
std::vector<T> downloaded(Backend& backend, const DeviceBuffer& buffer, std::size_t count) {
  std::vector<T> values(count);
  backend.copy_to_host(values.data(), buffer.as(), count * sizeof(T));
  return values;
}

std::string layer_names(const Graph& graph) {
  std::vector<std::string_view> names;
  for (const Layer& layer : graph.layers) names.push_back(layer.name);
  return join(names, ", ");
}

void check_option(const char* flag, std::int64_t value, std::int64_t most, const char* what) {
  if (value < 1 || value > most) {
    throw InputError(std::string(flag) + " " + std::to_string(value) + ": expected 1 to " + std::to_string(most) + " " + what);
  }
}

struct Mistake {
  std::int32_t id = 0, predicted_class = 0;
  double confidence = 0;
};

// The neighbours in one list that exist, as training ids.
std::vector<Neighbour> neighbours_of(const NeighbourLists& lists, std::size_t list, std::int64_t k, std::span<const std::int32_t> train_ids,
                                     const ImageSplit& train) {
  std::vector<Neighbour> neighbours;
  for (std::size_t j = list * static_cast<std::size_t>(k); j < (list + 1) * static_cast<std::size_t>(k) && lists.indices[j] >= 0; ++j) {
    const std::int32_t id = train_ids[static_cast<std::size_t>(lists.indices[j])];
    neighbours.push_back(Neighbour{id, lists.distances[j], split_image(train, static_cast<std::size_t>(id))});
  }
  return neighbours;
}

json neighbours_json(const std::vector<Neighbour>& neighbours) {
  json list = json::array();
  for (const Neighbour& n : neighbours) list.push_back({{"train_id", n.id}, {"distance", n.distance}});
  return list;
}

std::vector<Neighbour> neighbours_from(const json& list) {
  std::vector<Neighbour> neighbours;
  for (const json& n : list) neighbours.push_back(Neighbour{n.at("train_id").get<std::int32_t>(), n.at("distance").get<float>(), {}});
  return neighbours;
}

// JSON writes a NaN (a diverged model's output) as null.
double number_or_nan(const json& value) { return value.is_null() ? std::nan("") : value.get<double>(); }

}  // namespace

std::string Explanation::class_name(std::int32_t c) const {
  return c >= 0 && static_cast<std::size_t>(c) < class_names.size() ? class_names[static_cast<std::size_t>(c)] : std::to_string(c);
}

NeighbourLists find_neighbours(Backend& backend, std::span<const float> queries, std::span<const std::int32_t> wanted_classes,
                               std::span<const float> references, std::span<const std::int32_t> reference_classes,
                               std::int64_t dimension, std::int64_t k) {
  const auto query_count = static_cast<std::int64_t>(wanted_classes.size());
  const auto reference_count = static_cast<std::int64_t>(reference_classes.size());
  if (queries.size() != static_cast<std::size_t>(query_count * dimension) ||
      references.size() != static_cast<std::size_t>(reference_count * dimension)) {
    throw std::logic_error("find_neighbours: the queries or references are not rows of " + std::to_string(dimension) + " values");
  }
  const DeviceBuffer device_queries = uploaded(backend, queries), device_wanted = uploaded(backend, wanted_classes);
  const DeviceBuffer device_references = uploaded(backend, references), device_classes = uploaded(backend, reference_classes);
  const auto entries = static_cast<std::size_t>(query_count * k);
  const DeviceBuffer indices = backend.allocate(entries * sizeof(std::int32_t)), distances = backend.allocate(entries * sizeof(float));
  backend.nearest_neighbours(NeighbourArgs{.queries = device_queries.as<float>(),
                                           .wanted_classes = device_wanted.as<std::int32_t>(),
                                           .references = device_references.as<float>(),
                                           .reference_classes = device_classes.as<std::int32_t>(),
                                           .query_count = query_count,
                                           .reference_count = reference_count,
                                           .dimension = dimension,
                                           .k = k,
                                           .indices = indices.as<std::int32_t>(),
                                           .distances = distances.as<float>()});
  return NeighbourLists{downloaded<std::int32_t>(backend, indices, entries), downloaded<float>(backend, distances, entries)};
}

std::size_t feature_layer(const Graph& graph, const std::string& name) {
  if (!name.empty()) {
    for (std::size_t i = 0; i < graph.layers.size(); ++i) {
      if (graph.layers[i].name == name) return i;
    }
    throw InputError("--layer " + name + ": no such layer; the model's layers are " + layer_names(graph));
  }
  for (std::size_t i = graph.layers.size(); i-- > 0;) {
    if (graph.layers[i].op->keyword != "dense") continue;
    if (i == 0) {
      throw InputError("the model's last dense layer '" + graph.layers[i].name +
                       "' takes the images themselves; name a feature layer with --layer (one of " + layer_names(graph) + ")");
    }
    return i - 1;
  }
  throw InputError("the model has no dense layer to take the input of; name a feature layer with --layer (one of " + layer_names(graph) +
                   ")");
}

std::vector<ConfusedPair> most_confused_pairs(std::span<const std::int64_t> confusion, std::int64_t classes, std::size_t count) {
  std::vector<ConfusedPair> pairs;
  for (std::int64_t t = 0; t < classes; ++t) {
    for (std::int64_t p = 0; p < classes; ++p) {
      const std::int64_t cell = confusion[static_cast<std::size_t>(t * classes + p)];
      if (t != p && cell > 0) pairs.push_back(ConfusedPair{static_cast<std::int32_t>(t), static_cast<std::int32_t>(p), cell});
    }
  }
  std::stable_sort(pairs.begin(), pairs.end(), [](const ConfusedPair& a, const ConfusedPair& b) { return a.count > b.count; });
  pairs.resize(std::min(pairs.size(), count));
  return pairs;
}

Explanation explain(Trainer& trainer, const Dataset& data, const ExplainOptions& options) {
  check_option("--k", options.k, most_neighbours, "neighbours of each class");
  check_option("--n", options.count, most_explained_images, "misclassified images");
  const Graph& graph = trainer.program().graph();
  const std::size_t layer = feature_layer(graph, options.layer);
  const std::int64_t classes = trainer.program().num_classes();
  const auto test_count = static_cast<std::int64_t>(data.test.count);

  // Each test image's prediction is its first largest output, as the loss counts it correct.
  const Trainer::Predictions predictions = trainer.predict(false, test_count);
  std::vector<std::int64_t> confusion(static_cast<std::size_t>(classes * classes));
  std::vector<Mistake> mistakes;
  for (std::int64_t n = 0; n < test_count; ++n) {
    const float* outputs = predictions.outputs.data() + n * classes;
    const auto predicted = static_cast<std::int32_t>(std::max_element(outputs, outputs + classes) - outputs);
    const std::int32_t label = data.test.labels[static_cast<std::size_t>(n)];
    ++confusion[static_cast<std::size_t>(label * classes + predicted)];
    if (predicted != label) mistakes.push_back(Mistake{static_cast<std::int32_t>(n), predicted, outputs[predicted]});
  }
  // A diverged model's NaN outputs rank last.
  std::stable_sort(mistakes.begin(), mistakes.end(), [](const Mistake& a, const Mistake& b) {
    return std::isnan(b.confidence) ? !std::isnan(a.confidence) : a.confidence > b.confidence;
  });

  Explanation explanation{.layer = graph.layers[layer].name,
                          .dimension = graph.layers[layer].output.elements(),
                          .k = options.k,
                          .checkpoint = "",
                          .test_images = test_count,
                          .misclassified = static_cast<std::int64_t>(mistakes.size()),
                          .training_images = static_cast<std::int64_t>(trainer.train_id_list().size()),
                          .class_names = data.class_names,
                          .images = {},
                          .confused_pairs = most_confused_pairs(confusion, classes, confused_pairs_listed)};
  mistakes.resize(std::min(mistakes.size(), static_cast<std::size_t>(options.count)));
  if (mistakes.empty()) return explanation;

  // Each mistake is asked twice, for its true class's neighbours and then its predicted class's.
  std::vector<std::int32_t> test_ids, wanted_classes(2 * mistakes.size());
  for (std::size_t i = 0; i < mistakes.size(); ++i) {
    test_ids.push_back(mistakes[i].id);
    wanted_classes[i] = data.test.labels[static_cast<std::size_t>(mistakes[i].id)];
    wanted_classes[mistakes.size() + i] = mistakes[i].predicted_class;
  }
  const std::vector<float> features = trainer.layer_outputs(layer, true, test_ids);
  std::vector<float> queries = features;
  queries.insert(queries.end(), features.begin(), features.end());
  const std::span<const std::int32_t> train_ids = trainer.train_id_list();
  const std::vector<float> references = trainer.layer_outputs(layer, false, train_ids);
  std::vector<std::int32_t> reference_classes;
  for (const std::int32_t id : train_ids) reference_classes.push_back(data.train.labels[static_cast<std::size_t>(id)]);
  const NeighbourLists lists =
      find_neighbours(trainer.program().backend(), queries, wanted_classes, references, reference_classes, explanation.dimension, options.k);

  for (std::size_t i = 0; i < mistakes.size(); ++i) {
    const Mistake& mistake = mistakes[i];
    explanation.images.push_back(ExplainedImage{.id = mistake.id,
                                                .true_class = wanted_classes[i],
                                                .predicted_class = mistake.predicted_class,
                                                .confidence = mistake.confidence,
                                                .image = split_image(data.test, static_cast<std::size_t>(mistake.id)),
                                                .local_examples = neighbours_of(lists, i, options.k, train_ids, data.train),
                                                .counterexamples = neighbours_of(lists, mistakes.size() + i, options.k, train_ids, data.train)});
  }
  return explanation;
}

Explanation explain_run(const ExplainRequest& request, Backend& backend) {
  const std::unique_ptr<TrainedRun> run = open_trained_run(request.run_dir, request.best, Target::labels, "explain", backend);
  Explanation explanation = explain(run->trainer, run->data, request.options);
  explanation.checkpoint = run->checkpoint_file.filename().string() + " (epoch " + std::to_string(run->checkpoint_epoch) + ")";
  return explanation;
}

std::string explanation_json(const Explanation& explanation) {
  json images = json::array();
  for (const ExplainedImage& image : explanation.images) {
    images.push_back({{"test_id", image.id},
                      {"true_class", image.true_class},
                      {"predicted_class", image.predicted_class},
                      {"confidence", image.confidence},
                      {"local_examples", neighbours_json(image.local_examples)},
                      {"counterexamples", neighbours_json(image.counterexamples)}});
  }
  json pairs = json::array();
  for (const ConfusedPair& pair : explanation.confused_pairs) {
    pairs.push_back({{"true_class", pair.true_class}, {"predicted_class", pair.predicted_class}, {"count", pair.count}});
  }
  const json record = {{"layer", explanation.layer},
                       {"dimension", explanation.dimension},
                       {"k", explanation.k},
                       {"checkpoint", explanation.checkpoint},
                       {"test_images", explanation.test_images},
                       {"misclassified", explanation.misclassified},
                       {"training_images", explanation.training_images},
                       {"class_names", explanation.class_names},
                       {"images", images},
                       {"confused_pairs", pairs}};
  return record.dump(2) + "\n";
}

Explanation read_explanation(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw InputError(file.string() + ": cannot read it");
  try {
    const json record = json::parse(in);
    Explanation explanation{.layer = record.at("layer").get<std::string>(),
                            .dimension = record.at("dimension").get<std::int64_t>(),
                            .k = record.at("k").get<std::int64_t>(),
                            .checkpoint = record.at("checkpoint").get<std::string>(),
                            .test_images = record.at("test_images").get<std::int64_t>(),
                            .misclassified = record.at("misclassified").get<std::int64_t>(),
                            .training_images = record.at("training_images").get<std::int64_t>(),
                            .class_names = record.at("class_names").get<std::vector<std::string>>(),
                            .images = {},
                            .confused_pairs = {}};
    for (const json& image : record.at("images")) {
      explanation.images.push_back(ExplainedImage{.id = image.at("test_id").get<std::int32_t>(),
                                                  .true_class = image.at("true_class").get<std::int32_t>(),
                                                  .predicted_class = image.at("predicted_class").get<std::int32_t>(),
                                                  .confidence = number_or_nan(image.at("confidence")),
                                                  .image = {},
                                                  .local_examples = neighbours_from(image.at("local_examples")),
                                                  .counterexamples = neighbours_from(image.at("counterexamples"))});
    }
    for (const json& pair : record.at("confused_pairs")) {
      explanation.confused_pairs.push_back(ConfusedPair{pair.at("true_class").get<std::int32_t>(),
                                                        pair.at("predicted_class").get<std::int32_t>(), pair.at("count").get<std::int64_t>()});
    }
    return explanation;
  } catch (const json::exception& e) {
    throw malformed_json(file, "explanation", e);
  }
}

void write_explanation(const std::filesystem::path& stem, const Explanation& explanation) {
  write_picture(stem, draw_explanation(explanation));
  std::filesystem::path record = stem;
  record += ".json";
  write_file_atomically(record, explanation_json(explanation));
}

}  // namespace gpufm
