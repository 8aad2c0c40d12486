// Encoder reuse: a block taken from another run with its trained weights, frozen or trainable,
// and the two-phase recipe (frozen, then fine-tuned end to end at a lower learning rate).
#include <gtest/gtest.h>

#include <fstream>

#include "gpufm/checkpoint.hpp"
#include "gpufm/safetensors.hpp"
#include "gpufm/summary.hpp"
#include "gpufm/trainer.hpp"
#include "support/expect_error.hpp"
#include "support/learnable_set.hpp"
#include "support/temp_dir.hpp"

namespace gpufm {
namespace {

constexpr const char* autoencoder_text = R"(input 8x8x1
block encoder:
  conv2d 4 3x3 same relu
  batchnorm
  maxpool 2
block decoder:
  upsample 2
  conv2d 1 3x3 same sigmoid
train:
  loss mse
  optimizer adam lr=0.01
  batch 32
  epochs 1
)";

// A run directory of the autoencoder trained for an epoch: its model.dsl and checkpoint.
class Transfer : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directory(run_);
    dir_.write("ae/model.dsl", autoencoder_text);
    const Graph graph = compile(dsl::parse(autoencoder_text, "ae.dsl"));
    Trainer trainer(graph, data_, *backend_);
    trainer.start(3);
    trainer.fit({});
    save_checkpoint(run_ / "checkpoint.safetensors", graph, trainer.program().plan(), trainer.checkpoint());
  }

  // A classifier on the run's encoder: `block` is its block line(s), `train` its extra settings.
  Graph classifier(const std::string& block, const std::string& train = "") const {
    return compile_file(dir_.write("classifier.dsl", "input 8x8x1\n" + block + "\nflatten\ndense 4 softmax\ntrain:\n"
                                                     "  optimizer adam lr=0.01\n  batch 32\n  epochs 2\n" + train));
  }

  std::string from_run() const { return "from \"" + run_.string() + "\""; }

  // The values of the run's tensor `name`.
  std::vector<float> source(const std::string& name) const {
    const SafetensorsFile file = load_safetensors(run_ / "checkpoint.safetensors");
    const NamedTensor* tensor = file.find(name);
    if (tensor == nullptr) ADD_FAILURE() << "the run has no tensor " << name;
    return tensor ? f32_values(*tensor) : std::vector<float>{};
  }

  test::TempDir dir_;
  std::filesystem::path run_ = dir_ / "ae";
  Dataset data_ = test::learnable_dataset(200, 40);
  std::unique_ptr<Backend> backend_ = make_cpu_backend();
};

// The values of parameter `name` ("encoder.conv2d.weight") in a program's flat parameters.
std::vector<float> param(const Graph& graph, const Plan& plan, std::span<const float> params, const std::string& name) {
  for (const ParamSlot& slot : plan.params) {
    const Layer& layer = graph.layers[slot.layer];
    if (layer.name + "." + layer.params[slot.param].name != name) continue;
    const auto begin = params.begin() + slot.offset;
    return {begin, begin + slot.elements};
  }
  ADD_FAILURE() << "no parameter " << name;
  return {};
}

const std::vector<std::string> encoder_params = {"encoder.conv2d.weight", "encoder.conv2d.bias", "encoder.batchnorm.weight",
                                                 "encoder.batchnorm.bias", "encoder.batchnorm.running_mean",
                                                 "encoder.batchnorm.running_var"};

TEST_F(Transfer, AFrozenBlockKeepsTheRunsTrainedWeightsWhileTheRestLearns) {
  const Graph graph = classifier("block encoder " + from_run() + " frozen");
  ASSERT_EQ(graph.imported.size(), 1u);
  EXPECT_EQ(graph.layers[0].name, "encoder.conv2d");
  EXPECT_TRUE(graph.layers[0].frozen);
  EXPECT_FALSE(graph.layers[3].frozen);  // flatten
  EXPECT_EQ(graph.trainable_param_count(), 4 * 4 * 4 * 4 + 4);  // the dense layer only, as Keras counts a frozen model
  EXPECT_NE(format_summary(graph, plan_memory(graph)).find("Trainable params: 260"), std::string::npos);

  Trainer trainer(graph, data_, *backend_);
  trainer.start(5);
  const std::vector<float> initial = trainer.program().read_params();
  const Plan& plan = trainer.program().plan();
  for (const std::string& name : encoder_params) EXPECT_EQ(param(graph, plan, initial, name), source(name)) << name;
  std::vector<EpochRecord> history;
  trainer.fit({.epoch_begin = {}, .step_end = {}, .epoch_end = [&](const EpochRecord& r) { history.push_back(r); }, .stop_requested = {}});
  const std::vector<float> trained = trainer.program().read_params();
  for (const std::string& name : encoder_params) EXPECT_EQ(param(graph, plan, trained, name), source(name)) << name;
  EXPECT_NE(param(graph, plan, trained, "dense.weight"), param(graph, plan, initial, "dense.weight"));
  ASSERT_EQ(history.size(), 2u);
  EXPECT_LT(history[1].loss, history[0].loss);
  EXPECT_EQ(plan.frozen_elements, 0);  // never trained: no gradients, no optimizer state
  EXPECT_EQ(plan.trainable_elements, 256 + 16);  // dense weight, and its bias padded to 16
}

TEST_F(Transfer, FineTuningTrainsTheFrozenBlockAfterTheFirstPhaseAtItsLearningRate) {
  const Graph graph = classifier("block encoder " + from_run() + " frozen", "  fine_tune epochs=2 lr=0.001\n");
  EXPECT_EQ(graph.train.total_epochs(), 4);
  Trainer trainer(graph, data_, *backend_);
  const Plan& plan = trainer.program().plan();
  EXPECT_GT(plan.frozen_elements, 0);
  const auto backward_layers = [](const std::vector<Step>& schedule) {
    std::vector<std::size_t> layers;
    for (const Step& step : schedule) {
      if (step.kind == Step::Kind::backward) layers.push_back(step.layer);
    }
    return layers;
  };
  EXPECT_EQ(backward_layers(plan.frozen_schedule), (std::vector<std::size_t>{4}));  // the dense layer alone
  EXPECT_EQ(backward_layers(plan.schedule), (std::vector<std::size_t>{4, 3, 2, 1, 0}));

  trainer.start(5);
  std::vector<EpochRecord> history;
  std::vector<float> after_first_phase;
  trainer.fit({.epoch_begin = {}, .step_end = {}, .epoch_end = [&](const EpochRecord& r) {
                 history.push_back(r);
                 if (r.epoch == 2) after_first_phase = trainer.program().read_params();
               },
               .stop_requested = {}});
  ASSERT_EQ(history.size(), 4u);
  std::vector<double> rates;
  for (const EpochRecord& r : history) rates.push_back(r.lr);
  EXPECT_EQ(rates, (std::vector<double>{0.01, 0.01, 0.001, 0.001}));
  const std::vector<float> trained = trainer.program().read_params();
  for (const std::string& name : encoder_params) {
    EXPECT_EQ(param(graph, plan, after_first_phase, name), source(name)) << name;
    // Batch-norm keeps normalising with the moving statistics the layers after it learnt on.
    if (name.ends_with("running_mean") || name.ends_with("running_var")) {
      EXPECT_EQ(param(graph, plan, trained, name), source(name)) << name;
    } else {
      EXPECT_NE(param(graph, plan, trained, name), source(name)) << name;
    }
  }
}

TEST_F(Transfer, ResumingAtAndWithinTheFineTuningPhaseEqualsNotStopping) {
  const Graph graph = classifier("block encoder " + from_run() + " frozen", "  fine_tune epochs=2 lr=0.001\n");
  const auto run = [&](Trainer& trainer, std::vector<EpochRecord>& history, const std::function<bool()>& stop) {
    trainer.fit({.epoch_begin = {}, .step_end = {}, .epoch_end = [&](const EpochRecord& r) { history.push_back(r); }, .stop_requested = stop});
  };
  Trainer straight(graph, data_, *backend_);
  straight.start(5);
  std::vector<EpochRecord> straight_history;
  run(straight, straight_history, {});
  const std::int64_t steps = straight.steps_per_epoch();
  for (const std::int64_t stop_at : {2 * steps, 2 * steps + 2, 3 * steps}) {
    Trainer first(graph, data_, *backend_);
    first.start(5);
    std::vector<EpochRecord> history;
    run(first, history, [&] { return first.program().steps_taken() == stop_at; });
    ASSERT_TRUE(first.interrupted()) << stop_at;
    Trainer second(graph, data_, *backend_);
    second.resume(first.checkpoint(), history);
    run(second, history, {});
    EXPECT_EQ(second.program().read_params(), straight.program().read_params()) << "stopped after step " << stop_at;
    EXPECT_EQ(second.program().read_optimizer_state(), straight.program().read_optimizer_state()) << stop_at;
    ASSERT_EQ(history.size(), straight_history.size());
    EXPECT_EQ(history.back().loss, straight_history.back().loss) << stop_at;
  }
}

TEST_F(Transfer, LayersWrittenOutTakeTheirWeightsFromARunOrASafetensorsFile) {
  const std::string layers = ":\n  conv2d 4 3x3 same relu\n  batchnorm\n  maxpool 2";
  const std::filesystem::path file = run_ / "checkpoint.safetensors";
  for (const std::string& from : {from_run(), "from \"" + file.string() + "\""}) {
    const Graph graph = classifier("block encoder " + from + layers);
    EXPECT_FALSE(graph.layers[0].frozen);
    Trainer trainer(graph, data_, *backend_);
    trainer.start(5);
    EXPECT_EQ(param(graph, trainer.program().plan(), trainer.program().read_params(), "encoder.conv2d.weight"),
              source("encoder.conv2d.weight"));
  }
}

TEST_F(Transfer, ABlockOfAnotherShapeIsAClearErrorNamingBothShapes) {
  const Graph graph = classifier("block encoder " + from_run() + ":\n  conv2d 8 3x3 same relu\n  maxpool 2");
  Trainer trainer(graph, data_, *backend_);
  test::expect_input_error([&] { trainer.start(5); },
                           {"block 'encoder' from " + (run_ / "checkpoint.safetensors").string(), "\"encoder.conv2d.weight\"",
                            "is F32 [4, 3, 3, 1]", "the model needs F32 [8, 3, 3, 1]"});
  const Graph extra = classifier("block encoder " + from_run() + ":\n  conv2d 4 3x3 same relu\n  conv2d 4 3x3 same relu");
  Trainer extra_trainer(extra, data_, *backend_);
  test::expect_input_error([&] { extra_trainer.start(5); }, {"no tensor \"encoder.conv2d_1.weight\"", "no such layer in its block"});
  const Graph nowhere = classifier("block encoder from \"" + (dir_ / "nowhere").string() + "\":\n  conv2d 4 3x3 same relu\n  maxpool 2");
  Trainer nowhere_trainer(nowhere, data_, *backend_);
  test::expect_input_error([&] { nowhere_trainer.start(5); },
                           {"classifier.dsl:2:7", "takes its weights from", "no such run directory or .safetensors file"});
}

TEST_F(Transfer, FrozenBlocksAndFineTuningMistakesAreClearErrors) {
  test::expect_input_error([&] { classifier("flatten\ndense 64 relu\nreshape 8x8x1\nblock encoder " + from_run() + " frozen"); },
                           {"block 'encoder' is frozen, but layer 'dense' before it trains"});
  test::expect_input_error([&] { classifier("block encoder " + from_run(), "  fine_tune epochs=2 lr=0.001\n"); },
                           {"classifier.dsl:9:3", "fine_tune", "no block is frozen"});
  test::expect_input_error([&] { classifier("block encoder " + from_run() + " frozen", "  schedule cosine\n  fine_tune epochs=1 lr=0.1\n"); },
                           {"fine_tune and schedule", "do not combine"});
  test::expect_input_error([&] { classifier("block encoder " + from_run() + " frozen", "  fine_tune epochs=2\n"); }, {"lr"});
}

}  // namespace
}  // namespace gpufm
