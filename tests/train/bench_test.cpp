// gpufm bench's figures on the CPU backend: an epoch's time for each epoch trained, the step
// alone within them, the rate over the epochs after the first, memory, the test figures; and its
// JSON line, keyed as torch_ref.py keys the same figures.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <numeric>

#include "gpufm/bench.hpp"
#include "gpufm/plan.hpp"
#include "support/learnable_set.hpp"

namespace gpufm {
namespace {

TEST(Bench, TimesEachEpochAndTheStepsWithinThem) {
  const Graph graph = compile(dsl::parse(test::learnable_classifier, "test.dsl"));  // 3 epochs, batch 32, validation 0.2
  const Dataset data = test::learnable_dataset(400, 64);
  auto backend = make_cpu_backend();
  const BenchResult result = bench_training(graph, data, *backend, 7);

  EXPECT_EQ(result.model, "test");
  EXPECT_EQ(result.epochs, 3);
  EXPECT_EQ(result.train_samples, 320);
  EXPECT_EQ(result.steps_per_epoch, 10);
  ASSERT_EQ(result.epoch_seconds.size(), 3u);
  for (double seconds : result.epoch_seconds) EXPECT_GT(seconds, 0);
  EXPECT_DOUBLE_EQ(result.train_seconds, std::accumulate(result.epoch_seconds.begin(), result.epoch_seconds.end(), 0.0));
  EXPECT_DOUBLE_EQ(result.train_seconds_after_first_epoch, result.epoch_seconds[1] + result.epoch_seconds[2]);
  EXPECT_NEAR(result.images_per_second_steady, 320 / ((result.epoch_seconds[1] + result.epoch_seconds[2]) / 2), 1e-6);
  // Nine steps of an epoch take less than the epoch.
  EXPECT_GT(result.step_milliseconds, 0);
  EXPECT_LT(9 * result.step_milliseconds / 1000, std::max(result.epoch_seconds[1], result.epoch_seconds[2]));
  // The buffers held at once include the parameters and the training images' bytes.
  EXPECT_GT(result.peak_memory_bytes, static_cast<std::size_t>(graph.param_count()) * 4 + data.train.pixels.size());
  EXPECT_GT(result.flops_per_step, 0);
  EXPECT_EQ(result.test.samples, 64);
  EXPECT_GE(result.test.accuracy, 0.5);
}

TEST(Bench, JsonNamesItsFiguresAsTheYardstickDoes) {
  BenchResult result;
  result.model = "cnn";
  result.epochs = 2;
  result.epoch_seconds = {2.0, 1.0};
  result.images_per_second_steady = 54000;
  result.step_milliseconds = 0.5;
  result.test.accuracy = 0.91;
  const std::string text = bench_json(result);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << "one line";
  const nlohmann::json json = nlohmann::json::parse(text);
  EXPECT_EQ(json.at("engine"), "gpufm");
  EXPECT_EQ(json.at("model"), "cnn");
  EXPECT_EQ(json.at("epoch_s"), nlohmann::json::array({2.0, 1.0}));
  EXPECT_DOUBLE_EQ(json.at("images_per_s_steady").get<double>(), 54000);
  EXPECT_DOUBLE_EQ(json.at("ms_per_step").get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(json.at("test_acc").get<double>(), 0.91);
  for (const char* key : {"train_s", "train_s_after_first_epoch", "peak_memory_bytes", "flops_per_step", "bytes_per_step", "test_loss"}) {
    EXPECT_TRUE(json.contains(key)) << key;
  }
  EXPECT_TRUE(json.at("kernels_per_step").is_null()) << "none counted";
  result.kernels_per_step = 31;
  EXPECT_EQ(nlohmann::json::parse(bench_json(result)).at("kernels_per_step"), 31);
}

}  // namespace
}  // namespace gpufm
