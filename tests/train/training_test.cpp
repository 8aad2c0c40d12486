// The training engine end to end on the CPU backend: small models learn a learnable set,
// runs are reproducible bit for bit, resuming equals not stopping, and whole-model gradients
// match finite differences.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "gpufm/trainer.hpp"
#include "support/learnable_set.hpp"

namespace gpufm {
namespace {

Graph model(const std::string& layers, const std::string& train) {
  return compile(dsl::parse("input 8x8x1\n" + layers + "\ntrain:\n" + train, "test.dsl"));
}

const std::string mlp_layers = "flatten\ndense 16 relu\ndense 4 softmax";
const std::string cnn_layers = "conv2d 4 3x3 same relu\nmaxpool 2\ndropout 0.1\nconv2d 8 3x3 relu\nflatten\ndense 4 softmax";

struct Trained {
  std::vector<float> params, optimizer_state;
  std::vector<EpochRecord> history;
  PassMetrics test;
};

Trained train(const Graph& graph, const Dataset& data, std::uint64_t seed) {
  auto backend = make_cpu_backend();
  Trainer trainer(graph, data, *backend);
  trainer.start(seed);
  Trained result;
  trainer.fit({.epoch_begin = {}, .step_end = {}, .epoch_end = [&](const EpochRecord& r) { result.history.push_back(r); }});
  result.test = trainer.evaluate_test(true);
  result.params = trainer.program().read_params();
  result.optimizer_state = trainer.program().read_optimizer_state();
  return result;
}

TEST(Training, SmallMlpAndCnnLearnTheLearnableSet) {
  const Dataset data = test::learnable_dataset(512, 128);
  for (const std::string& layers : {mlp_layers, cnn_layers}) {
    const Trained run = train(model(layers, "  optimizer adam lr=0.01\n  batch 32\n  epochs 8\n  validation 0.25\n"), data, 5);
    ASSERT_EQ(run.history.size(), 8u);
    EXPECT_GE(run.test.accuracy, 0.98) << layers;
    EXPECT_LT(run.history.back().loss, run.history.front().loss) << layers;
    EXPECT_GE(run.history.back().val_accuracy.value(), 0.98) << layers;
    EXPECT_EQ(std::accumulate(run.test.confusion.begin(), run.test.confusion.end(), std::int64_t{0}), 128);
  }
}

TEST(Training, EveryOptimizerLearns) {
  const Dataset data = test::learnable_dataset(256, 64);
  for (const char* optimizer : {"sgd lr=0.1 momentum=0.9", "sgd lr=0.5", "adam lr=0.01", "nadam lr=0.01", "rmsprop lr=0.005"}) {
    const Trained run = train(model(mlp_layers, std::string("  optimizer ") + optimizer + "\n  batch 16\n  epochs 6\n"), data, 3);
    EXPECT_GE(run.test.accuracy, 0.95) << optimizer;
  }
}

TEST(Training, SameSeedSameNumbersBitForBit) {
  const Dataset data = test::learnable_dataset(200, 40);
  const Graph graph = model("conv2d 4 3x3 same relu\nbatchnorm\nmaxpool 2\ndropout 0.2\nflatten\ndense 4 softmax",
                            "  batch 24\n  epochs 2\n  validation 0.2\n");
  const Trained a = train(graph, data, 11), b = train(graph, data, 11), c = train(graph, data, 12);
  EXPECT_EQ(a.params, b.params);
  EXPECT_EQ(a.optimizer_state, b.optimizer_state);
  EXPECT_EQ(a.history.back().loss, b.history.back().loss);
  EXPECT_NE(a.params, c.params);
}

TEST(Training, ResumingFromACheckpointEqualsNotStopping) {
  const Dataset data = test::learnable_dataset(200, 40);
  const std::string recipe = "  optimizer nadam\n  batch 32\n  validation 0.1\n  epochs ";
  const Graph four_epochs = model(cnn_layers, recipe + "4\n");
  const Trained straight = train(four_epochs, data, 9);

  auto backend = make_cpu_backend();
  Checkpoint halfway;
  {
    const Graph two_epochs = model(cnn_layers, recipe + "2\n");
    Trainer first(two_epochs, data, *backend);
    first.start(9);
    first.fit({});
    halfway = first.checkpoint();
  }
  Trainer second(four_epochs, data, *backend);
  second.resume(halfway);
  EXPECT_EQ(second.epochs_done(), 2);
  second.fit({});
  EXPECT_EQ(second.program().read_params(), straight.params);
  EXPECT_EQ(second.program().read_optimizer_state(), straight.optimizer_state);
  EXPECT_EQ(second.program().steps_taken(), 4 * 6);  // ceil(180 / 32) steps an epoch
}

TEST(Training, ResumingWithAnotherOptimizerIsAClearError) {
  const Dataset data = test::learnable_dataset(64, 16);
  auto backend = make_cpu_backend();
  const Graph adam = model(mlp_layers, "  optimizer adam\n  batch 16\n");
  Trainer first(adam, data, *backend);
  first.start(1);
  first.fit({});
  const Graph sgd = model(mlp_layers, "  optimizer sgd\n  batch 16\n");
  Trainer second(sgd, data, *backend);
  try {
    second.resume(first.checkpoint());
    ADD_FAILURE() << "resumed with another optimizer";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("but sgd here needs 0; resume with the optimizer the run was trained with"), std::string::npos)
        << e.what();
  }
}

TEST(Training, AutoencoderReconstructionLossFalls) {
  const Dataset data = test::learnable_dataset(256, 64);
  const Trained run = train(model("conv2d 4 3x3 same relu\nmaxpool 2\nupsample 2\nconv2d 1 3x3 same sigmoid",
                                  "  loss bce\n  optimizer adam lr=0.01\n  batch 32\n  epochs 5\n"),
                            data, 2);
  for (std::size_t e = 1; e < run.history.size(); ++e) EXPECT_LT(run.history[e].loss, run.history[e - 1].loss) << "epoch " << e + 1;
  EXPECT_FALSE(run.history.back().accuracy.has_value());
}

// Whole model, loss included: one SGD step with lr 1 moves each weight by minus its gradient,
// which is compared with central differences of the mean loss over the same batch.
TEST(Training, WholeModelGradientsMatchFiniteDifferences) {
  const Dataset data = test::learnable_dataset(8, 8);
  // Smooth activations: a relu kink within the finite-difference step would blur the comparison.
  for (const std::string& layers : {std::string("flatten\ndense 16 tanh\ndense 4 softmax"),
                                    std::string("conv2d 3 3x3 tanh\navgpool 2\nflatten\ndense 4 softmax"),
                                    std::string("conv2d 2 3x3 same tanh\nflatten\ndense 64 sigmoid\nreshape 8x8x1")}) {
    const bool autoencoder = layers.find("reshape") != std::string::npos;
    const Graph graph = model(layers, std::string(autoencoder ? "  loss mse\n" : "") + "  optimizer sgd lr=1\n  batch 8\n  epochs 1\n");
    auto backend = make_cpu_backend();
    Program program(graph, *backend, 8);
    program.initialize(4);
    const DeviceImages images = program.upload(data.train);
    std::vector<std::int32_t> all(8);
    std::iota(all.begin(), all.end(), 0);
    DeviceIds ids = program.upload_ids(all);
    const std::vector<float> before = program.read_params();
    program.train_epoch(images, ids, 1, 1.0);
    const std::vector<float> after = program.read_params();
    std::vector<float> probe = before;
    const double step = 1e-3;
    for (std::size_t i = 0; i < static_cast<std::size_t>(program.plan().trainable_elements); i += 7) {
      const auto loss_at = [&](double value) {
        probe[i] = static_cast<float>(value);
        program.write_params(probe);
        return program.evaluate(images, ids).loss;
      };
      const double numeric = (loss_at(before[i] + step) - loss_at(before[i] - step)) / (2 * step);
      probe[i] = before[i];
      const double analytic = before[i] - after[i];
      EXPECT_NEAR(analytic, numeric, 2e-3 + 2e-2 * std::fabs(numeric)) << layers << ": parameter element " << i;
    }
  }
}

}  // namespace
}  // namespace gpufm
