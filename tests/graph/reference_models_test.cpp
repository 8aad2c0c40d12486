// Every model of shared/spec/models.md, as written in models/, with the parameter counts the
// spec lists (Keras' counts: batch-norm has 2 trainable and 2 non-trainable per channel).
#include <gtest/gtest.h>

#include "gpufm/graph.hpp"

namespace gpufm {
namespace {

struct ReferenceModel {
  const char* file;
  std::int64_t total, trainable;
  const char* output;
};

class ReferenceModels : public testing::TestWithParam<ReferenceModel> {};

TEST_P(ReferenceModels, CountsMatchTheSpec) {
  const ReferenceModel& expected = GetParam();
  const Graph graph = compile_file(std::string(GPUFM_SOURCE_DIR) + "/models/" + expected.file);
  EXPECT_EQ(graph.param_count(), expected.total);
  EXPECT_EQ(graph.trainable_param_count(), expected.trainable);
  EXPECT_EQ(graph.non_trainable_param_count(), expected.total - expected.trainable);
  EXPECT_EQ(graph.output().str(), expected.output);
}

INSTANTIATE_TEST_SUITE_P(Spec, ReferenceModels,
                         testing::Values(ReferenceModel{"mlp_small.dsl", 25'450, 25'450, "10"},
                                         ReferenceModel{"mlp.dsl", 109'386, 109'386, "10"},
                                         ReferenceModel{"cnn.dsl", 225'034, 225'034, "10"},
                                         ReferenceModel{"cnn_same.dsl", 120'170, 120'170, "10"},
                                         ReferenceModel{"autoencoder.dsl", 1'185'793, 1'184'257, "28x28x1"}),
                         [](const testing::TestParamInfo<ReferenceModel>& info) {
                           std::string name = info.param.file;
                           return name.substr(0, name.find('.'));
                         });

TEST(ReferenceModelShapes, CnnLayerTableMatchesTheSpec) {
  const Graph graph = compile_file(std::string(GPUFM_SOURCE_DIR) + "/models/cnn.dsl");
  const std::vector<std::pair<std::string, std::int64_t>> expected = {
      {"26x26x32", 320}, {"13x13x32", 0}, {"13x13x32", 0}, {"11x11x64", 18'496}, {"5x5x64", 0},
      {"5x5x64", 0},     {"1600", 0},     {"128", 204'928}, {"128", 0},           {"10", 1'290}};
  ASSERT_EQ(graph.layers.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(graph.layers[i].output.str(), expected[i].first) << graph.layers[i].name;
    EXPECT_EQ(graph.layers[i].param_count(), expected[i].second) << graph.layers[i].name;
  }
}

TEST(ReferenceModelShapes, CnnVariantsOfTheStudy) {
  const std::string cnn = std::string(GPUFM_SOURCE_DIR) + "/models/cnn.dsl";
  EXPECT_EQ(compile_file(cnn, {{"kernel", "7"}}).layers[0].output.str(), "22x22x32");
  EXPECT_EQ(compile_file(cnn, {{"activation", "sigmoid"}}).layers[7].attrs.choice("activation"), "sigmoid");
  const Graph sgd = compile_file(cnn, {{"optimizer", "sgd"}, {"lr", "0.01"}, {"momentum", "0.9"}});
  EXPECT_EQ(sgd.train.optimizer.kind, OptimizerKind::sgd);
  EXPECT_DOUBLE_EQ(sgd.train.optimizer.lr, 0.01);
  EXPECT_DOUBLE_EQ(sgd.train.optimizer.momentum, 0.9);
  const Graph bn = compile_file(std::string(GPUFM_SOURCE_DIR) + "/models/cnn_bn.dsl");
  EXPECT_EQ(bn.non_trainable_param_count(), 2 * (32 + 64 + 128));
}

TEST(ReferenceModelShapes, DenseAutoencoderLatentIsOneKnob) {
  const std::string file = std::string(GPUFM_SOURCE_DIR) + "/models/autoencoder_dense.dsl";
  for (const char* latent : {"32", "24", "16", "12", "8"}) {
    const Graph graph = compile_file(file, {{"latent", latent}});
    const auto bottleneck = std::find_if(graph.layers.begin(), graph.layers.end(), [](const Layer& l) { return l.name == "encoder.latent"; });
    ASSERT_NE(bottleneck, graph.layers.end());
    EXPECT_EQ(bottleneck->output.str(), latent);
    EXPECT_EQ(graph.output().str(), "28x28x1");
  }
}

// The classifier's encoder block is the autoencoder's, parameter for parameter, so the trained
// encoder's tensors fit it by name and shape; frozen, its parameters count as non-trainable until
// fine-tuning.
TEST(ReferenceModelShapes, ClassifierEncoderIsTheAutoencoders) {
  const auto model = [](const std::string& file) { return compile_file(std::string(GPUFM_SOURCE_DIR) + "/models/" + file); };
  const auto encoder_params = [&](const std::string& file) {
    std::vector<std::pair<std::string, std::vector<std::int64_t>>> params;
    for (const Layer& layer : model(file).layers) {
      if (layer.block != "encoder") continue;
      for (const ParamSpec& param : layer.params) params.emplace_back(layer.name + "." + param.name, param.shape);
    }
    return params;
  };
  const auto from_autoencoder = encoder_params("autoencoder.dsl");
  EXPECT_EQ(from_autoencoder.size(), 12u);
  EXPECT_EQ(from_autoencoder, encoder_params("autoencoder_classifier.dsl"));
  const Graph classifier = model("autoencoder_classifier.dsl");
  EXPECT_EQ(classifier.param_count(), 1'101'514);
  EXPECT_EQ(classifier.trainable_param_count(), 12'544 * 64 + 64 + 64 * 10 + 10);
  EXPECT_EQ(classifier.train.total_epochs(), 30);
}

}  // namespace
}  // namespace gpufm
