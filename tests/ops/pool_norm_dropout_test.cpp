// Forward values of the pooling, upsampling, batch-norm and dropout kernels against hand-computed
// ones, their backward where the gradient check cannot tell (ties, overlaps, the mask), and the
// Philox generator dropout draws from.
#include <gtest/gtest.h>

#include <array>
#include <bit>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include "cpu/dropout.hpp"
#include "cpu/philox_lanes.hpp"
#include "gpufm/graph.hpp"
#include "gpufm/philox.hpp"
#include "support/tensors.hpp"

namespace gpufm {
namespace {

// One layer's CPU kernel on host vectors, its parameters at their initial values.
class KernelOnHost {
 public:
  KernelOnHost(const std::string& statement, const Shape& input, std::int64_t batch)
      : layer_(compile_layer_text(statement, input)), kernel_(layer_.op->make_cpu_kernel(layer_)), batch_(batch) {
    for (const ParamSpec& spec : layer_.params) {
      params_.emplace_back(static_cast<std::size_t>(spec.elements()), spec.init == Init::ones ? 1.0f : 0.0f);
      gradients_.emplace_back(static_cast<std::size_t>(spec.elements()));
    }
  }

  std::vector<float>& param(std::size_t index) { return params_.at(index); }
  const std::vector<float>& gradient(std::size_t index) const { return gradients_.at(index); }

  std::vector<float> forward(const std::vector<float>& x, const StepContext& context = {}) {
    std::vector<float> y(static_cast<std::size_t>(batch_ * layer_.output.elements()));
    const std::vector<float*> params = test::data_pointers(params_);
    kernel_->forward(ForwardArgs{.input = x.data(), .output = y.data(), .batch = batch_, .params = params, .context = &context});
    return y;
  }

  std::vector<float> backward(const std::vector<float>& x, const std::vector<float>& y, std::vector<float> dy,
                              const StepContext& context = {}) {
    std::vector<float> dx(static_cast<std::size_t>(batch_ * layer_.input.elements()));
    const std::vector<float*> params = test::data_pointers(params_), gradients = test::data_pointers(gradients_);
    kernel_->backward(BackwardArgs{.input = x.data(), .output = y.data(), .output_gradient = dy.data(), .input_gradient = dx.data(),
                                   .batch = batch_, .params = params, .param_gradients = gradients, .context = &context});
    return dx;
  }

 private:
  Layer layer_;
  std::unique_ptr<LayerKernel> kernel_;
  std::int64_t batch_;
  std::vector<std::vector<float>> params_, gradients_;
};

// The numbers of run_step 0 to 7, for contexts to point at.
const StepNumbers* numbers_of_step(std::uint64_t step) {
  static const std::array<StepNumbers, 8> numbers = [] {
    std::array<StepNumbers, 8> steps{};
    for (std::size_t s = 0; s < steps.size(); ++s) steps[s].run_step = s;
    return steps;
  }();
  return &numbers.at(step);
}

StepContext step_context(bool training, std::uint64_t seed = 0, std::uint64_t step = 0, std::uint32_t layer_index = 0) {
  StepContext context;
  context.training = training;
  context.seed = seed;
  context.numbers = numbers_of_step(step);
  context.layer_index = layer_index;
  return context;
}

std::vector<float> iota(std::size_t count, float first) {
  std::vector<float> values(count);
  std::iota(values.begin(), values.end(), first);
  return values;
}

TEST(PoolNormDropout, MaxPoolTakesEachWindowsLargestPerChannel) {
  KernelOnHost pool("maxpool 2", Shape{{4, 4, 2}}, 1);
  std::vector<float> x(32);
  for (int pixel = 0; pixel < 16; ++pixel) {
    x[2 * pixel] = static_cast<float>(pixel);
    x[2 * pixel + 1] = -static_cast<float>(pixel);
  }
  EXPECT_EQ(pool.forward(x), (std::vector<float>{5, 0, 7, -2, 13, -8, 15, -10}));
}

TEST(PoolNormDropout, MaxPoolRoutesTiesToTheFirstMaximumInWindowOrder) {
  KernelOnHost pool("maxpool 2 stride=1", Shape{{3, 3, 1}}, 1);
  const std::vector<float> x(9, 1.0f);
  const std::vector<float> y = pool.forward(x);
  EXPECT_EQ(pool.backward(x, y, {1, 2, 3, 4}), (std::vector<float>{1, 2, 0, 3, 4, 0, 0, 0, 0}));
}

// std::max from -infinity: a NaN is never a window's maximum, a window of -infinity and NaN has
// -infinity's, a window of NaNs none (-infinity, and its gradient goes nowhere), and of -0 and +0
// the first holds it.
TEST(PoolNormDropout, MaxPoolSkipsNaNsAndRoutesToTheFirstMaximumFoundAgainFromTheInput) {
  KernelOnHost pool("maxpool 2", Shape{{2, 8, 1}}, 1);
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  const std::vector<float> x = {nan, 3, -inf, nan,  nan, nan, -0.0f, 0.0f,  // row 0: four windows' first rows
                                nan, 2, -inf, -inf, nan, nan, 0.0f,  -0.0f};
  const std::vector<float> y = pool.forward(x);
  EXPECT_EQ(y, (std::vector<float>{3, -inf, -inf, 0}));
  EXPECT_TRUE(std::signbit(y[3])) << "-0 came first";
  // backward reads no output: it finds each window's maximum again.
  const std::vector<float> unsaved(4, nan);
  EXPECT_EQ(pool.backward(x, unsaved, {1, 2, 3, 4}), (std::vector<float>{0, 1, 2, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
}

TEST(PoolNormDropout, MaxPoolAddsTheGradientsOfOverlappingWindows) {
  KernelOnHost pool("maxpool 2 stride=1", Shape{{3, 3, 1}}, 1);
  const std::vector<float> x = {0, 1, 0, 2, 9, 3, 0, 4, 0};
  const std::vector<float> y = pool.forward(x);
  EXPECT_EQ(y, (std::vector<float>{9, 9, 9, 9}));
  EXPECT_EQ(pool.backward(x, y, {1, 2, 3, 4}), (std::vector<float>{0, 0, 0, 0, 10, 0, 0, 0, 0}));
}

TEST(PoolNormDropout, MaxPoolSamePaddingNeverPicksThePadding) {
  KernelOnHost pool("maxpool 2 same", Shape{{3, 3, 1}}, 1);
  EXPECT_EQ(pool.forward(std::vector<float>(9, -5.0f)), (std::vector<float>(4, -5.0f)));
}

TEST(PoolNormDropout, AvgPoolSamePaddingDividesByThePixelsInsideTheImage) {
  KernelOnHost pool("avgpool 2 same", Shape{{3, 3, 1}}, 1);
  const std::vector<float> x = iota(9, 1);
  EXPECT_EQ(pool.forward(x), (std::vector<float>{3, 4.5f, 7.5f, 9}));
  EXPECT_EQ(pool.backward(x, {}, {1, 1, 1, 1}), (std::vector<float>{0.25f, 0.25f, 0.5f, 0.25f, 0.25f, 0.5f, 0.5f, 0.5f, 1}));
}

TEST(PoolNormDropout, AvgPoolSamePaddingSplitsThePaddingSmallerHalfFirst) {
  KernelOnHost pool("avgpool 3 same stride=1", Shape{{3, 3, 1}}, 1);
  const std::vector<float> y = pool.forward(iota(9, 1));
  EXPECT_FLOAT_EQ(y[0], (1 + 2 + 4 + 5) / 4.0f);
  EXPECT_FLOAT_EQ(y[1], (1 + 2 + 3 + 4 + 5 + 6) / 6.0f);
  EXPECT_FLOAT_EQ(y[4], 5);
}

TEST(PoolNormDropout, AvgPoolValidAveragesEachSample) {
  KernelOnHost pool("avgpool 2", Shape{{2, 2, 1}}, 2);
  EXPECT_EQ(pool.forward({1, 2, 3, 4, 10, 20, 30, 40}), (std::vector<float>{2.5f, 25}));
}

TEST(PoolNormDropout, UpsampleRepeatsPixelsAndSumsTheirBlocksGradients) {
  KernelOnHost upsample("upsample 2x3", Shape{{1, 2, 1}}, 1);
  const std::vector<float> x = {1, 2};
  EXPECT_EQ(upsample.forward(x), (std::vector<float>{1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2}));
  EXPECT_EQ(upsample.backward(x, {}, iota(12, 0)), (std::vector<float>{0 + 1 + 2 + 6 + 7 + 8, 3 + 4 + 5 + 9 + 10 + 11}));
}

// Two channels with unlike means and spreads, over 4 samples of 2x2 pixels.
std::vector<float> two_channel_batch() {
  std::vector<float> x(32);
  for (int i = 0; i < 16; ++i) {
    x[2 * i] = 3.0f + std::sin(static_cast<float>(i));
    x[2 * i + 1] = -20.0f + 5.0f * std::cos(1.7f * static_cast<float>(i));
  }
  return x;
}

struct Moments {
  double mean = 0, variance = 0;  // biased
};

Moments channel_moments(const std::vector<float>& x, int channel) {
  Moments m;
  const std::size_t count = x.size() / 2;
  for (std::size_t i = 0; i < count; ++i) m.mean += x[2 * i + channel] / static_cast<double>(count);
  for (std::size_t i = 0; i < count; ++i) m.variance += std::pow(x[2 * i + channel] - m.mean, 2) / static_cast<double>(count);
  return m;
}

TEST(PoolNormDropout, BatchNormTrainingNormalisesEachChannelAndMovesTheRunningStats) {
  KernelOnHost norm("batchnorm", Shape{{2, 2, 2}}, 4);
  const std::vector<float> x = two_channel_batch();
  const std::vector<float> y = norm.forward(x, step_context(true));
  for (int c = 0; c < 2; ++c) {
    const Moments in = channel_moments(x, c), out = channel_moments(y, c);
    EXPECT_NEAR(out.mean, 0, 1e-5);
    EXPECT_NEAR(out.variance, in.variance / (in.variance + 1e-3), 1e-5);  // epsilon 1e-3 keeps it just under 1
    EXPECT_NEAR(norm.param(2)[c], 0.99 * 0 + 0.01 * in.mean, 1e-5);
    EXPECT_NEAR(norm.param(3)[c], 0.99 * 1 + 0.01 * in.variance, 1e-5);
  }
}

TEST(PoolNormDropout, BatchNormInferenceUsesTheRunningStatsAndLeavesThem) {
  KernelOnHost norm("batchnorm epsilon=0.01", Shape{{2}}, 2);
  norm.param(0) = {1.5f, 1};
  norm.param(1) = {0.5f, 0};
  norm.param(2) = {2, -1};
  norm.param(3) = {4, 0.25f};
  const std::vector<float> y = norm.forward({3, 0, 1, -2});
  EXPECT_NEAR(y[0], 1.5 * (3 - 2) / std::sqrt(4.01) + 0.5, 1e-6);
  EXPECT_NEAR(y[1], (0 + 1) / std::sqrt(0.26), 1e-6);
  EXPECT_NEAR(y[2], 1.5 * (1 - 2) / std::sqrt(4.01) + 0.5, 1e-6);
  EXPECT_NEAR(y[3], (-2 + 1) / std::sqrt(0.26), 1e-6);
  EXPECT_EQ(norm.param(2), (std::vector<float>{2, -1}));
  EXPECT_EQ(norm.param(3), (std::vector<float>{4, 0.25f}));
}

TEST(PoolNormDropout, BatchNormParameterGradientsAreTheSumsOverTheBatch) {
  KernelOnHost norm("batchnorm", Shape{{2, 2, 2}}, 4);
  const std::vector<float> x = two_channel_batch();
  const StepContext training = step_context(true);
  norm.forward(x, training);
  const std::vector<float> dx = norm.backward(x, {}, std::vector<float>(32, 1.0f), training);
  for (int c = 0; c < 2; ++c) {
    EXPECT_NEAR(norm.gradient(0)[c], 0, 1e-4);  // the normalised values sum to zero
    EXPECT_NEAR(norm.gradient(1)[c], 16, 1e-5);
  }
  for (float d : dx) EXPECT_NEAR(d, 0, 1e-5);  // a shift of all outputs cannot come from the input
}

constexpr std::int64_t many = 100000;

TEST(PoolNormDropout, DropoutDropsAboutTheRateAndScalesWhatItKeeps) {
  KernelOnHost dropout("dropout 0.3", Shape{{many}}, 1);
  const std::vector<float> x = iota(many, 1);
  const std::vector<float> y = dropout.forward(x, step_context(true, 42, 5, 2));
  std::int64_t dropped = 0;
  for (std::int64_t i = 0; i < many; ++i) {
    if (y[i] == 0) {
      ++dropped;
    } else {
      EXPECT_FLOAT_EQ(y[i], x[i] / 0.7f);
    }
  }
  EXPECT_NEAR(static_cast<double>(dropped) / many, 0.3, 0.01);
}

std::vector<bool> kept_mask(const std::vector<float>& y) {
  std::vector<bool> kept;
  for (float v : y) kept.push_back(v != 0);
  return kept;
}

TEST(PoolNormDropout, DropoutMaskFollowsSeedLayerAndStep) {
  KernelOnHost dropout("dropout 0.5", Shape{{1000}}, 1);
  const std::vector<float> x(1000, 1.0f);
  const StepContext context = step_context(true, 9, 1, 3);
  const std::vector<bool> mask = kept_mask(dropout.forward(x, context));
  EXPECT_EQ(kept_mask(dropout.forward(x, context)), mask);
  StepContext next_step = context, other_layer = context;
  next_step.numbers = numbers_of_step(2);
  ++other_layer.layer_index;
  EXPECT_NE(kept_mask(dropout.forward(x, next_step)), mask);
  EXPECT_NE(kept_mask(dropout.forward(x, other_layer)), mask);
}

// Element i of a batch keeps its value when word i of the Philox stream (seed, layer, step) is at
// least the rate, as the CUDA kernel computes it word by word; over a batch whose size is no
// multiple of the 256 words the CPU draws at a time, nor of the four a Philox call gives.
TEST(PoolNormDropout, DropoutKeepsElementIAsPhiloxWordISays) {
  KernelOnHost dropout("dropout 0.4", Shape{{7, 11, 1}}, 13);
  const std::int64_t count = 7 * 11 * 13;
  const std::vector<float> x(count, 1.0f);
  const std::vector<bool> mask = kept_mask(dropout.forward(x, step_context(true, 77, 6, 4)));
  ASSERT_EQ(mask.size(), static_cast<std::size_t>(count));
  for (std::int64_t i = 0; i < count; ++i) {
    ASSERT_EQ(mask[i], uniform_from_word(philox_word(77, 4, 6, static_cast<std::uint64_t>(i))) >= 0.4f) << "element " << i;
  }
}

// The CPU's branch-free pass gives the shared rule's values bit for bit (StepDropout::apply, the
// CUDA kernels'), also for NaN, infinities and -0: a dropped element is +0 whatever it was. Over
// counts that end inside a Philox block and inside the first 256 words, copying and in place
// (as the layers that apply a dropout call it).
TEST(PoolNormDropout, CpuPassGivesTheSharedRulesBits) {
  const float specials[] = {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(),
                            -std::numeric_limits<float>::infinity(), -0.0f, 0.0f, -3.5f, 1e-40f};
  StepNumbers numbers;
  numbers.run_step = 11;
  const DropoutMask mask{.seed = 5, .numbers = &numbers, .layer_index = 2, .rate = 0.5f};
  const StepDropout rule(mask);
  for (const std::size_t count : {std::size_t{1003}, std::size_t{77}}) {
    for (const bool in_place : {false, true}) {
      SCOPED_TRACE(testing::Message() << count << " elements" << (in_place ? ", in place" : ""));
      std::vector<float> x(count);
      for (std::size_t i = 0; i < count; ++i) x[i] = specials[i % std::size(specials)];
      std::vector<float> y = x;
      cpu::apply_dropout(mask, in_place ? y.data() : x.data(), y.data(), static_cast<std::int64_t>(count));
      int dropped_nans = 0;
      for (std::size_t i = 0; i < count; ++i) {
        const float expected = rule.apply(static_cast<std::int64_t>(i), x[i]);
        ASSERT_EQ(std::bit_cast<std::uint32_t>(y[i]), std::bit_cast<std::uint32_t>(expected)) << "element " << i << ", x " << x[i];
        if (std::isnan(x[i]) && !std::isnan(y[i])) ++dropped_nans;
      }
      EXPECT_GT(dropped_nans, 0);  // the case the branch-free form must get right was met
    }
  }
}

TEST(PoolNormDropout, DropoutBackwardAppliesTheForwardMask) {
  KernelOnHost dropout("dropout 0.5", Shape{{1000}}, 1);
  const std::vector<float> x(1000, 1.0f);
  const StepContext context = step_context(true, 9, 1, 3);
  const std::vector<float> y = dropout.forward(x, context);
  EXPECT_EQ(dropout.backward({}, {}, x, context), y);  // dy = 1 everywhere: dx is the scaled mask
}

TEST(PoolNormDropout, DropoutInInferenceIsTheIdentity) {
  KernelOnHost dropout("dropout 0.5", Shape{{100}}, 2);
  const std::vector<float> x = iota(200, -50);
  EXPECT_EQ(dropout.forward(x, step_context(false, 9)), x);
  EXPECT_EQ(dropout.backward({}, {}, x, step_context(false, 9)), x);
}

// Random123's known answers for Philox4x32-10 (kat_vectors).
TEST(Philox, MatchesRandom123KnownAnswers) {
  const Philox4x32 zeros = philox4x32(Philox4x32{{0, 0, 0, 0}}, 0);
  EXPECT_EQ(zeros.v[0], 0x6627e8d5u);
  EXPECT_EQ(zeros.v[1], 0xe169c58du);
  EXPECT_EQ(zeros.v[2], 0xbc57ac4cu);
  EXPECT_EQ(zeros.v[3], 0x9b00dbd8u);
  const Philox4x32 ones = philox4x32(Philox4x32{{0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu}}, 0xffffffffffffffffull);
  EXPECT_EQ(ones.v[0], 0x408f276du);
  EXPECT_EQ(ones.v[1], 0x41c83b0eu);
  EXPECT_EQ(ones.v[2], 0xa20bc7c6u);
  EXPECT_EQ(ones.v[3], 0x6d5451fdu);
}

// The CPU's lockstep draw gives philox_word's words, across the carry into the counter's high word.
TEST(Philox, LanesDrawWhatOneWordAtATimeDraws) {
  const PhiloxStream stream{.key = 0x123456789abcdefull, .stream = 3, .substream = 17};
  const std::uint64_t first_block = (std::uint64_t{1} << 32) - 5;
  std::uint32_t words[4 * 8];
  cpu::philox_lanes<8>(stream, first_block, words);
  for (std::uint64_t i = 0; i < 4 * 8; ++i) {
    ASSERT_EQ(words[i], philox_word(stream, 4 * first_block + i)) << "word " << i;
  }
}

}  // namespace
}  // namespace gpufm
