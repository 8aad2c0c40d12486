// Explaining a classifier's mistakes: the feature layer chosen, the most confused pairs, and an
// explanation of a small trained model checked against its own features: every image listed is
// misclassified, the most confidently wrong first, and its neighbours are the nearest training
// images of the true and of the predicted class, nearest first.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <tuple>

#include "gpufm/explain.hpp"
#include "support/expect_error.hpp"
#include "support/learnable_set.hpp"
#include "support/temp_dir.hpp"

namespace gpufm {
namespace {

using test::expect_input_error;

Graph model(const std::string& text) { return compile(dsl::parse(text, "test.dsl")); }

TEST(Explain, TheFeatureLayerIsTheLastDenseLayersInputOrTheOneNamed) {
  const Graph cnn = model(test::learnable_classifier);
  ASSERT_EQ(cnn.layers[3].op->keyword, "dense");
  EXPECT_EQ(feature_layer(cnn, ""), 2u);
  EXPECT_EQ(feature_layer(cnn, cnn.layers[0].name), 0u);
  const Graph mlp = model("input 8x8x1\nflatten\ndense 16 relu\ndropout 0.5\ndense 4 softmax\n");
  EXPECT_EQ(feature_layer(mlp, ""), 2u);
  const std::string names = cnn.layers[0].name + ", " + cnn.layers[1].name + ", " + cnn.layers[2].name + ", " + cnn.layers[3].name;
  expect_input_error([&] { feature_layer(cnn, "nope"); }, {"--layer nope: no such layer; the model's layers are " + names});
  const Graph dense_first = model("input 64\ndense 4 softmax\n");
  expect_input_error([&] { feature_layer(dense_first, ""); }, {"takes the images themselves; name a feature layer with --layer"});
  const Graph no_dense = model("input 8x8x1\nconv2d 4 8x8\nflatten\nsoftmax\n");
  expect_input_error([&] { feature_layer(no_dense, ""); }, {"the model has no dense layer", "--layer"});
}

TEST(Explain, MostConfusedPairsAreTheLargestOffDiagonalCells) {
  // Row: true class. The diagonal never counts, nor do empty cells; ties stay in row order.
  const std::vector<std::int64_t> confusion = {50, 3, 0,  //
                                               7, 40, 3,  //
                                               0, 9, 60};
  const std::vector<ConfusedPair> pairs = most_confused_pairs(confusion, 3, 10);
  ASSERT_EQ(pairs.size(), 4u);
  const std::vector<std::tuple<int, int, std::int64_t>> expected = {{2, 1, 9}, {1, 0, 7}, {0, 1, 3}, {1, 2, 3}};
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    EXPECT_EQ(std::make_tuple(static_cast<int>(pairs[i].true_class), static_cast<int>(pairs[i].predicted_class), pairs[i].count), expected[i]);
  }
  EXPECT_EQ(most_confused_pairs(confusion, 3, 2).size(), 2u);
}

double squared_distance_between(const std::vector<float>& a, const std::vector<float>& b) {
  double sum = 0;
  for (std::size_t d = 0; d < a.size(); ++d) sum += (static_cast<double>(a[d]) - b[d]) * (static_cast<double>(a[d]) - b[d]);
  return sum;
}

TEST(Explain, ASmallClassifiersMistakesAndTheirNearestTrainingImages) {
  Dataset data = test::learnable_dataset(256, 64);
  // Every fourth test label moved to the next class: mistakes the model is sure to make.
  for (std::size_t n = 0; n < data.test.count; n += 4) data.test.labels[n] = static_cast<std::uint8_t>((data.test.labels[n] + 1) % 4);
  Graph graph = model(test::learnable_classifier);
  graph.train.epochs = 1;
  const auto backend = make_cpu_backend();
  Trainer trainer(graph, data, *backend);
  trainer.start(3);
  trainer.fit({});
  const std::int64_t k = 3;
  const Explanation explanation = explain(trainer, data, {.k = k, .count = 5, .layer = ""});

  EXPECT_EQ(explanation.layer, graph.layers[2].name);
  EXPECT_EQ(explanation.dimension, graph.layers[2].output.elements());
  EXPECT_EQ(explanation.test_images, 64);
  EXPECT_EQ(explanation.training_images, static_cast<std::int64_t>(trainer.train_id_list().size()));
  EXPECT_GE(explanation.misclassified, 1);
  EXPECT_EQ(explanation.images.size(), static_cast<std::size_t>(std::min<std::int64_t>(5, explanation.misclassified)));
  std::int64_t paired = 0;
  for (const ConfusedPair& pair : explanation.confused_pairs) paired += pair.count;
  EXPECT_EQ(paired, explanation.misclassified) << "four classes make at most 12 pairs, all listed";

  const std::size_t layer = 2;
  const std::span<const std::int32_t> train_ids = trainer.train_id_list();
  const std::vector<float> train_features = trainer.layer_outputs(layer, false, train_ids);
  const auto dimension = static_cast<std::size_t>(explanation.dimension);
  const auto features_of = [&](const std::vector<float>& all, std::size_t n) {
    return std::vector<float>(all.begin() + static_cast<std::ptrdiff_t>(n * dimension), all.begin() + static_cast<std::ptrdiff_t>((n + 1) * dimension));
  };
  for (std::size_t i = 0; i < explanation.images.size(); ++i) {
    const ExplainedImage& image = explanation.images[i];
    SCOPED_TRACE("test image " + std::to_string(image.id));
    EXPECT_EQ(image.true_class, data.test.labels[static_cast<std::size_t>(image.id)]);
    EXPECT_NE(image.predicted_class, image.true_class);
    if (i > 0) {
      EXPECT_LE(image.confidence, explanation.images[i - 1].confidence);
    }
    const std::int32_t id = image.id;
    const std::vector<float> query = trainer.layer_outputs(layer, true, std::span(&id, 1));
    for (const auto& [neighbours, wanted] : {std::pair{&image.local_examples, image.true_class}, std::pair{&image.counterexamples, image.predicted_class}}) {
      ASSERT_EQ(neighbours->size(), static_cast<std::size_t>(k));
      // Every training image of the class, nearest first: the neighbours are the first k.
      std::vector<double> class_distances;
      for (std::size_t n = 0; n < train_ids.size(); ++n) {
        if (data.train.labels[static_cast<std::size_t>(train_ids[n])] == wanted) {
          class_distances.push_back(squared_distance_between(query, features_of(train_features, n)));
        }
      }
      std::sort(class_distances.begin(), class_distances.end());
      for (std::size_t j = 0; j < neighbours->size(); ++j) {
        const Neighbour& neighbour = (*neighbours)[j];
        EXPECT_EQ(data.train.labels[static_cast<std::size_t>(neighbour.id)], wanted);
        if (j > 0) {
          EXPECT_GE(neighbour.distance, (*neighbours)[j - 1].distance);
        }
        const auto place = static_cast<std::size_t>(std::find(train_ids.begin(), train_ids.end(), neighbour.id) - train_ids.begin());
        ASSERT_LT(place, train_ids.size()) << "not an image trained on";
        const double truly = squared_distance_between(query, features_of(train_features, place));
        EXPECT_NEAR(neighbour.distance, truly, 1e-4 * (1 + truly));
        EXPECT_NEAR(neighbour.distance, class_distances[j], 1e-4 * (1 + truly));
        EXPECT_EQ(neighbour.image.pixels, split_image(data.train, static_cast<std::size_t>(neighbour.id)).pixels);
      }
    }
  }

  expect_input_error([&] { explain(trainer, data, {.k = 65, .count = 5, .layer = ""}); }, {"--k 65: expected 1 to 64"});
  expect_input_error([&] { explain(trainer, data, {.k = 3, .count = 0, .layer = ""}); }, {"--n 0: expected 1 to 100"});
}

// The record keeps everything but the images.
TEST(Explain, TheRecordReadsBackAsWritten) {
  Explanation explanation{.layer = "dense_1",
                          .dimension = 16,
                          .k = 2,
                          .checkpoint = "best.safetensors (epoch 2)",
                          .test_images = 100,
                          .misclassified = 7,
                          .training_images = 400,
                          .class_names = {"a", "b"},
                          .images = {ExplainedImage{.id = 4,
                                                    .true_class = 1,
                                                    .predicted_class = 0,
                                                    .confidence = 0.75,
                                                    .image = {},
                                                    .local_examples = {{12, 0.5f, {}}, {3, 1.25f, {}}},
                                                    .counterexamples = {{8, 0.25f, {}}}}},
                          .confused_pairs = {{1, 0, 5}, {0, 1, 2}}};
  test::TempDir dir;
  const std::filesystem::path file = dir.write("explain.json", explanation_json(explanation));
  const Explanation read = read_explanation(file);
  EXPECT_EQ(explanation_json(read), explanation_json(explanation));
  EXPECT_EQ(read.class_name(1), "b");
  EXPECT_EQ(read.class_name(2), "2");
  expect_input_error([&] { read_explanation(dir.write("bad.json", "{\"layer\": 3}")); }, {"bad.json: malformed explanation"});
}

}  // namespace
}  // namespace gpufm
