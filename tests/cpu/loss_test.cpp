// The CPU loss: values against hand-computed ones, the metric sums and confusion counts, and the
// gradients, folded against p - t and unfolded against finite differences of the loss itself.
#include "cpu/loss.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace gpufm {
namespace {

struct LossCase {
  Loss loss = Loss::crossentropy;
  Target target = Target::labels;
  std::vector<float> output;
  std::int64_t batch = 0;
  std::vector<std::int32_t> labels;
  std::vector<float> target_input;

  std::int64_t elements() const { return static_cast<std::int64_t>(output.size()) / batch; }

  LossArgs args(MetricSums* sums, float* gradient = nullptr, bool fold = false, std::int64_t* confusion = nullptr) const {
    return LossArgs{.loss = loss, .target = target, .output = output.data(), .batch = batch, .elements = elements(),
                    .labels = labels.data(), .target_input = target_input.data(), .output_gradient = gradient,
                    .fold_activation = fold, .sums = sums, .confusion = confusion};
  }

  MetricSums sums() const {
    MetricSums sums;
    cpu::cpu_loss(args(&sums));
    return sums;
  }

  std::vector<float> gradient(bool fold = false) const {
    std::vector<float> gradient(output.size());
    cpu::cpu_loss(args(nullptr, gradient.data(), fold));
    return gradient;
  }

  // Central differences of the batch-mean loss, against the unfolded gradient.
  void expect_gradient_matches_finite_differences() {
    const std::vector<float> analytic = gradient();
    const float step = 1e-3f;
    for (std::size_t i = 0; i < output.size(); ++i) {
      const float original = output[i];
      output[i] = original + step;
      const double plus = sums().loss / static_cast<double>(batch);
      output[i] = original - step;
      const double minus = sums().loss / static_cast<double>(batch);
      output[i] = original;
      const double numeric = (plus - minus) / (2.0 * step);
      EXPECT_NEAR(analytic[i], numeric, 1e-3 * std::max(1.0, std::fabs(numeric))) << "output[" << i << "]";
    }
  }
};

LossCase classifier(Loss loss, std::vector<float> output, std::vector<std::int32_t> labels) {
  const auto batch = static_cast<std::int64_t>(labels.size());
  return LossCase{.loss = loss, .target = Target::labels, .output = std::move(output), .batch = batch, .labels = std::move(labels), .target_input = {}};
}

LossCase autoencoder(Loss loss, std::vector<float> output, std::vector<float> input, std::int64_t batch) {
  return LossCase{.loss = loss, .target = Target::input, .output = std::move(output), .batch = batch, .labels = {}, .target_input = std::move(input)};
}

TEST(Loss, CrossentropyIsMinusLogOfTheLabelsProbability) {
  const MetricSums sums = classifier(Loss::crossentropy, {0.7f, 0.2f, 0.1f, 0.1f, 0.3f, 0.6f}, {0, 1}).sums();
  EXPECT_NEAR(sums.loss, -std::log(0.7) - std::log(0.3), 1e-6);
  EXPECT_EQ(sums.samples, 2);
  EXPECT_EQ(sums.correct, 1);
}

TEST(Loss, CrossentropyClipsAZeroProbabilityAndGivesItNoGradient) {
  const LossCase c = classifier(Loss::crossentropy, {0.0f, 1.0f}, {0});
  EXPECT_NEAR(c.sums().loss, -std::log(1e-7), 1e-4);
  EXPECT_EQ(c.gradient(), (std::vector<float>{0, 0}));
}

TEST(Loss, MetricSumsAddUpOverCalls) {
  const LossCase c = classifier(Loss::crossentropy, {0.25f, 0.75f}, {1});
  MetricSums sums{.loss = 1, .correct = 2, .samples = 3};
  cpu::cpu_loss(c.args(&sums));
  cpu::cpu_loss(c.args(&sums));
  EXPECT_NEAR(sums.loss, 1 - 2 * std::log(0.75), 1e-6);
  EXPECT_EQ(sums.correct, 4);
  EXPECT_EQ(sums.samples, 5);
}

TEST(Loss, ATrainingStepWithANonFiniteLossIsRecordedApartFromTheSums) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const LossCase c = classifier(Loss::crossentropy, {0.25f, 0.75f, nan, nan}, {1, 0});
  MetricSums sums{.loss = 1, .correct = 2, .samples = 3};
  for (const std::int64_t step : {4, 7}) {
    LossArgs args = c.args(&sums);
    const StepNumbers numbers{.epoch_step = step};
    args.numbers = &numbers;
    cpu::cpu_loss(args);
  }
  EXPECT_EQ(sums.loss, 1);
  EXPECT_EQ(sums.correct, 2);
  EXPECT_EQ(sums.samples, 3);
  EXPECT_EQ(sums.nonfinite_steps, 2);
  EXPECT_EQ(sums.first_nonfinite_step, 4);
  EXPECT_EQ(sums.last_nonfinite_step, 7);
  const StepNumbers seventh{.epoch_step = 7}, eighth{.epoch_step = 8};
  EXPECT_TRUE(skips_step(&sums, &seventh));
  EXPECT_FALSE(skips_step(&sums, &eighth));
  cpu::cpu_loss(c.args(&sums));  // measuring (step 0) reports the NaN
  EXPECT_TRUE(std::isnan(sums.loss));
  EXPECT_EQ(sums.nonfinite_steps, 2);
}

TEST(Loss, TiesPredictTheFirstLargestClass) {
  EXPECT_EQ(classifier(Loss::crossentropy, {0.4f, 0.4f, 0.2f}, {1}).sums().correct, 0);
  EXPECT_EQ(classifier(Loss::crossentropy, {0.4f, 0.4f, 0.2f}, {0}).sums().correct, 1);
}

TEST(Loss, ConfusionCountsLabelRowsAgainstPredictionColumns) {
  const LossCase c = classifier(Loss::crossentropy, {0.7f, 0.2f, 0.1f, 0.1f, 0.3f, 0.6f, 0.1f, 0.1f, 0.8f}, {0, 1, 2});
  std::vector<std::int64_t> confusion(9, 0);
  cpu::cpu_loss(c.args(nullptr, nullptr, false, confusion.data()));
  EXPECT_EQ(confusion, (std::vector<std::int64_t>{1, 0, 0, 0, 0, 1, 0, 0, 1}));
}

TEST(Loss, FoldedCrossentropyGradientIsProbabilitiesMinusOneHotOverBatch) {
  const LossCase c = classifier(Loss::crossentropy, {0.7f, 0.2f, 0.1f, 0.1f, 0.3f, 0.6f}, {0, 1});
  const std::vector<float> expected = {(0.7f - 1) / 2, 0.2f / 2, 0.1f / 2, 0.1f / 2, (0.3f - 1) / 2, 0.6f / 2};
  const std::vector<float> gradient = c.gradient(true);
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_FLOAT_EQ(gradient[i], expected[i]) << i;
}

TEST(Loss, UnfoldedCrossentropyGradientMatchesFiniteDifferences) {
  classifier(Loss::crossentropy, {0.7f, 0.2f, 0.1f, 0.1f, 0.3f, 0.6f}, {0, 1}).expect_gradient_matches_finite_differences();
}

TEST(Loss, MseOnLabelsComparesWithTheOneHotLabel) {
  const MetricSums sums = classifier(Loss::mse, {0.5f, 0.5f, 0.2f, 0.8f}, {0, 1}).sums();
  EXPECT_NEAR(sums.loss, (0.25 + 0.25) / 2 + (0.04 + 0.04) / 2, 1e-6);
  EXPECT_EQ(sums.correct, 2);  // the first sample ties and predicts class 0, its label
}

TEST(Loss, MseOnInputIsTheMeanSquaredErrorPerSample) {
  const LossCase c = autoencoder(Loss::mse, {0.5f, 1.0f, 0.0f, 0.25f}, {0.0f, 1.0f, 1.0f, 0.75f}, 2);
  const MetricSums sums = c.sums();
  EXPECT_NEAR(sums.loss, (0.25 + 0) / 2 + (1 + 0.25) / 2, 1e-6);
  EXPECT_EQ(sums.samples, 2);
  EXPECT_EQ(sums.correct, 0);
}

TEST(Loss, MseGradientMatchesFiniteDifferences) {
  autoencoder(Loss::mse, {0.5f, 0.9f, 0.1f, 0.25f, -0.3f, 2.0f}, {0.0f, 1.0f, 1.0f, 0.75f, 0.2f, 0.5f}, 2)
      .expect_gradient_matches_finite_differences();
  classifier(Loss::mse, {0.5f, 0.2f, 0.3f, 0.8f}, {0, 1}).expect_gradient_matches_finite_differences();
}

TEST(Loss, BceIsTheMeanBinaryCrossentropyPerSample) {
  const MetricSums sums = autoencoder(Loss::bce, {0.8f, 0.3f}, {1.0f, 0.5f}, 1).sums();
  EXPECT_NEAR(sums.loss, (-std::log(0.8) - (0.5 * std::log(0.3) + 0.5 * std::log(0.7))) / 2, 1e-6);
}

TEST(Loss, BceClipsCertainOutputsAndGivesThemNoGradient) {
  const LossCase c = autoencoder(Loss::bce, {1.0f, 0.0f}, {0.0f, 1.0f}, 1);
  const double highest = 1.0f - 1e-7f;  // as a float, 1 - 1.19e-7
  EXPECT_NEAR(c.sums().loss, (-std::log(1 - highest) - std::log(1e-7)) / 2, 1e-6);
  EXPECT_EQ(c.gradient(), (std::vector<float>{0, 0}));
}

TEST(Loss, UnfoldedBceGradientMatchesFiniteDifferences) {
  autoencoder(Loss::bce, {0.8f, 0.3f, 0.55f, 0.1f, 0.6f, 0.95f}, {1.0f, 0.5f, 0.0f, 0.2f, 0.6f, 1.0f}, 2)
      .expect_gradient_matches_finite_differences();
}

TEST(Loss, FoldedBceGradientIsOutputMinusTargetOverAllElements) {
  const LossCase c = autoencoder(Loss::bce, {0.8f, 0.3f, 0.55f, 0.1f}, {1.0f, 0.5f, 0.0f, 0.2f}, 2);
  const std::vector<float> expected = {-0.2f / 4, -0.2f / 4, 0.55f / 4, -0.1f / 4};
  const std::vector<float> gradient = c.gradient(true);
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_FLOAT_EQ(gradient[i], expected[i]) << i;
}

}  // namespace
}  // namespace gpufm
