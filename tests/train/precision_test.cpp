// Mixed precision on the CPU: bfloat16 and half rounding checked against every half value and
// the midpoints between them, the loss scale's rule, and training in bf16 and fp16 end to end
// (what the layers store, the loss scale skipping and recovering from overflowing steps, and a
// resumed fp16 run's scale).
#include "gpufm/precision.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <functional>
#include <limits>

#include "gpufm/checkpoint.hpp"
#include "gpufm/trainer.hpp"
#include "support/learnable_set.hpp"
#include "support/temp_dir.hpp"

namespace gpufm {
namespace {

constexpr float infinity = std::numeric_limits<float>::infinity();

// The value of a half's bits, decoded by IEEE 754's definition.
float half_value(std::uint16_t bits) {
  const int exponent = (bits >> 10) & 0x1f, mantissa = bits & 0x3ff;
  const float sign = (bits & 0x8000) != 0 ? -1.0f : 1.0f;
  if (exponent == 0x1f) return mantissa == 0 ? sign * infinity : std::numeric_limits<float>::quiet_NaN();
  if (exponent == 0) return sign * std::ldexp(static_cast<float>(mantissa), -24);
  return sign * std::ldexp(static_cast<float>(mantissa + 1024), exponent - 25);
}

TEST(Precision, EveryHalfIsKeptAndEveryMidpointGoesToTheEvenNeighbour) {
  for (std::uint32_t bits = 0; bits < 0x7c00; ++bits) {  // the finite non-negative halves, in increasing order
    const float value = half_value(static_cast<std::uint16_t>(bits));
    ASSERT_EQ(round_to_half(value), value) << "half 0x" << std::hex << bits;
    ASSERT_EQ(round_to_half(-value), -value) << "half 0x" << std::hex << bits;
    const float next = half_value(static_cast<std::uint16_t>(bits + 1));
    if (bits + 1 == 0x7c00) break;
    const float midpoint = value + (next - value) / 2;  // exact in float: a half has 11 significant bits
    const float even = (bits & 1) == 0 ? value : next;
    ASSERT_EQ(round_to_half(midpoint), even) << "midpoint above half 0x" << std::hex << bits;
    ASSERT_EQ(round_to_half(std::nextafter(midpoint, 0.0f)), value) << "just below the midpoint above 0x" << std::hex << bits;
    ASSERT_EQ(round_to_half(std::nextafter(midpoint, infinity)), next) << "just above the midpoint above 0x" << std::hex << bits;
  }
}

TEST(Precision, HalfOverflowsPast65504AndKeepsInfinityAndNan) {
  EXPECT_EQ(round_to_half(65504.0f), 65504.0f);
  EXPECT_EQ(round_to_half(65519.99f), 65504.0f);
  EXPECT_EQ(round_to_half(65520.0f), infinity);  // the midpoint to 65536, which half lacks
  EXPECT_EQ(round_to_half(-1e10f), -infinity);
  EXPECT_EQ(round_to_half(std::numeric_limits<float>::max()), infinity);
  EXPECT_EQ(round_to_half(infinity), infinity);
  EXPECT_TRUE(std::isnan(round_to_half(std::numeric_limits<float>::quiet_NaN())));
  EXPECT_EQ(round_to_half(std::ldexp(1.0f, -26)), 0.0f);  // below half of the smallest subnormal
  EXPECT_TRUE(std::signbit(round_to_half(-std::ldexp(1.0f, -26))));
}

TEST(Precision, BfloatKeepsSixteenBitsRoundingTiesToEven) {
  EXPECT_EQ(round_to_bfloat16(1.0f), 1.0f);
  EXPECT_EQ(round_to_bfloat16(1.0f + 0x1p-8f), 1.0f);                     // the tie between 1 and 1 + 2^-7 goes to 1
  EXPECT_EQ(round_to_bfloat16(1.0f + 0x1p-8f + 0x1p-20f), 1.0f + 0x1p-7f);  // past it goes up
  EXPECT_EQ(round_to_bfloat16(1.0f + 3 * 0x1p-8f), 1.0f + 0x1p-6f);       // the tie above 1 + 2^-7 goes to the even 1 + 2^-6
  EXPECT_EQ(round_to_bfloat16(-2.5f), -2.5f);
  EXPECT_EQ(round_to_bfloat16(std::numeric_limits<float>::max()), infinity);
  EXPECT_EQ(round_to_bfloat16(std::numeric_limits<float>::denorm_min()), 0.0f);
  EXPECT_TRUE(std::isnan(round_to_bfloat16(std::bit_cast<float>(0x7f800001u))));  // a NaN whose carry would make it infinite
  // Every rounding is within half a bfloat16 step, and lands on a value with 16 zero low bits.
  for (float x = 1e-30f; x < 1e30f; x *= 1.37f) {
    const float rounded = round_to_bfloat16(x);
    EXPECT_EQ(std::bit_cast<std::uint32_t>(rounded) & 0xffffu, 0u) << x;
    EXPECT_LE(std::abs(rounded - x), std::ldexp(std::abs(x), -8)) << x;
  }
}

TEST(Precision, StoredValuesChangeOnlyInBf16AndFp16) {
  const float x = 1.0f / 3.0f;
  EXPECT_EQ(stored_value(Precision::fp32, x), x);
  EXPECT_EQ(stored_value(Precision::tf32, x), x);  // TF32 rounds inside products, never what is stored
  EXPECT_EQ(stored_value(Precision::bf16, x), round_to_bfloat16(x));
  EXPECT_EQ(stored_value(Precision::fp16, x), round_to_half(x));
  EXPECT_NE(round_to_bfloat16(x), round_to_half(x));
}

TEST(LossScale, AnOverflowHalvesTheScaleAndARunOfFiniteStepsDoublesIt) {
  LossScale state{.scale = 1024};
  for (int step = 1; step <= 2; ++step) update_loss_scale(state, 3);
  EXPECT_EQ(state.scale, 1024);
  EXPECT_EQ(state.good_steps, 2);
  state.overflow = 1;
  update_loss_scale(state, 3);
  EXPECT_EQ(state.scale, 512);
  EXPECT_EQ(state.good_steps, 0);  // the run starts again
  EXPECT_EQ(state.overflow, 0);
  for (int step = 1; step <= 3; ++step) update_loss_scale(state, 3);
  EXPECT_EQ(state.scale, 1024);
  EXPECT_EQ(state.good_steps, 0);
}

TEST(LossScale, NeverBelowOneNorPastTheLargestFloat) {
  LossScale low{.scale = 3, .overflow = 1};
  update_loss_scale(low, 2000);
  EXPECT_EQ(low.scale, 1.5f);
  low.overflow = 1;
  update_loss_scale(low, 2000);
  EXPECT_EQ(low.scale, 1);
  low.overflow = 1;
  update_loss_scale(low, 2000);
  EXPECT_EQ(low.scale, 1);
  LossScale high{.scale = std::numeric_limits<float>::max()};
  update_loss_scale(high, 1);
  EXPECT_EQ(high.scale, std::numeric_limits<float>::max());
  EXPECT_EQ(high.good_steps, 0);
}

Graph model(const std::string& train) {
  return compile(dsl::parse("input 8x8x1\nconv2d 4 3x3 same relu\nmaxpool 2\nflatten\ndense 16 relu\ndropout 0.1\ndense 4 softmax\n"
                            "train:\n  optimizer adam lr=0.01\n  batch 32\n" + train,
                            "test.dsl"));
}

struct Trained {
  std::vector<EpochRecord> history;
  PassMetrics test;
  std::vector<float> params;
};

Trained train(const Graph& graph, const Dataset& data, std::uint64_t seed) {
  auto backend = make_cpu_backend();
  Trainer trainer(graph, data, *backend);
  trainer.start(seed);
  Trained run;
  trainer.fit({.epoch_begin = {}, .step_end = {}, .epoch_end = [&](const EpochRecord& r) { run.history.push_back(r); }, .stop_requested = {}});
  run.test = trainer.evaluate_test(false);
  run.params = trainer.program().read_params();
  return run;
}

TEST(MixedPrecision, Bf16AndFp16LearnAsFp32Does) {
  const Dataset data = test::learnable_dataset(512, 128);
  const Trained fp32 = train(model("  epochs 6\n"), data, 4);
  for (const char* precision : {"bf16", "fp16"}) {
    const Trained run = train(model(std::string("  epochs 6\n  precision ") + precision + "\n"), data, 4);
    EXPECT_GE(run.test.accuracy, 0.98) << precision;
    EXPECT_NEAR(run.test.accuracy, fp32.test.accuracy, 0.02) << precision;
    EXPECT_NE(run.params, fp32.params) << precision << " computed as fp32 does";
  }
  EXPECT_GE(fp32.test.accuracy, 0.98);
}

// Each layer's output, as evaluation computes it, holds values of the precision; fp32's do not.
TEST(MixedPrecision, EveryLayerStoresValuesOfItsPrecision) {
  const Dataset data = test::learnable_dataset(64, 32);
  for (const Precision precision : {Precision::bf16, Precision::fp16, Precision::fp32}) {
    const Graph graph = model("  epochs 1\n  precision " + std::string(name(precision)) + "\n");
    auto backend = make_cpu_backend();
    Trainer trainer(graph, data, *backend);
    trainer.start(2);
    trainer.fit({});
    std::int64_t unrounded = 0;
    for (std::size_t layer = 0; layer < graph.layers.size(); ++layer) {
      const std::vector<float> outputs = trainer.layer_outputs(layer, true, std::vector<std::int32_t>{0, 1, 2, 3});
      for (const float v : outputs) unrounded += stored_value(precision == Precision::fp32 ? Precision::bf16 : precision, v) != v;
    }
    if (precision == Precision::fp32) {
      EXPECT_GT(unrounded, 0) << "fp32 outputs all happened to be bf16 values";
    } else {
      EXPECT_EQ(unrounded, 0) << name(precision);
    }
  }
}

// An initial scale of 2^30 makes the first step's scaled loss gradient overflow half's range: the
// step is skipped (the parameters stay as they were) and the scale halves, until it fits.
TEST(MixedPrecision, Fp16SkipsOverflowingStepsAndHalvesTheScaleUntilItFits) {
  const Dataset data = test::learnable_dataset(256, 64);
  const Graph graph = model("  epochs 6\n  precision fp16 initial_scale=1073741824 growth_steps=1000\n");
  auto backend = make_cpu_backend();
  Trainer trainer(graph, data, *backend);
  trainer.start(6);
  const std::vector<float> initial = trainer.program().read_params();
  std::vector<EpochRecord> history;
  TrainingEvents events{.epoch_begin = {}, .step_end = {}, .epoch_end = [&](const EpochRecord& r) { history.push_back(r); },
                        .stop_requested = [&] { return trainer.program().steps_taken() == 1; }};
  trainer.fit(events);
  ASSERT_TRUE(trainer.interrupted());
  EXPECT_EQ(trainer.program().read_params(), initial);
  EXPECT_EQ(trainer.program().loss_scale()->scale, 0x1p29f);
  EXPECT_EQ(trainer.program().epoch_progress().sums.overflow_steps, 1);

  events.stop_requested = {};
  trainer.fit(events);
  ASSERT_EQ(history.size(), 6u);
  const float scale = static_cast<float>(*history.back().loss_scale);
  EXPECT_LT(scale, 0x1p29f);
  EXPECT_EQ(std::exp2(std::round(std::log2(scale))), scale) << "the scale only halves and doubles";
  // Every halving from 2^30 to the final scale was an overflowing step (none doubled it back).
  std::int64_t overflows = 0;
  for (const EpochRecord& r : history) overflows += r.overflow_steps;
  EXPECT_EQ(overflows, 30 - static_cast<std::int64_t>(std::log2(scale)));
  EXPECT_GT(history.front().overflow_steps, 1);
  EXPECT_EQ(history.front().skipped_steps, 0) << "an overflow is not a non-finite loss";
  EXPECT_GE(trainer.evaluate_test(false).accuracy, 0.95);
}

TEST(MixedPrecision, Fp16DoublesTheScaleAfterGrowthStepsFiniteSteps) {
  const Dataset data = test::learnable_dataset(256, 64);  // 8 steps an epoch
  const Graph graph = model("  epochs 2\n  precision fp16 initial_scale=1 growth_steps=3\n");
  auto backend = make_cpu_backend();
  Trainer trainer(graph, data, *backend);
  trainer.start(6);
  std::vector<EpochRecord> history;
  trainer.fit({.epoch_begin = {}, .step_end = {}, .epoch_end = [&](const EpochRecord& r) { history.push_back(r); }, .stop_requested = {}});
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].overflow_steps, 0);
  EXPECT_EQ(history[0].loss_scale, 4.0);   // doubled after steps 3 and 6
  EXPECT_EQ(history[1].loss_scale, 32.0);  // and 9, 12, 15
  EXPECT_EQ(trainer.program().loss_scale()->good_steps, 1);
}

// No gradient reaches a layer of a model with nothing to train: there is no gradient buffer to
// round, and the run goes on as in fp32.
TEST(MixedPrecision, AModelWithNothingToTrainTrainsInEveryPrecision) {
  const Dataset data = test::learnable_dataset(64, 32);
  for (const char* precision : {"bf16", "fp16"}) {
    for (const char* layers : {"flatten\nsoftmax\n", "block base frozen:\n  flatten\n  dense 4\nsoftmax\n"}) {
      const Graph graph = compile(dsl::parse(std::string("input 8x8x1\n") + layers + "train:\n  epochs 2\n  precision " + precision + "\n",
                                             "test.dsl"));
      const Trained run = train(graph, data, 1);
      ASSERT_EQ(run.history.size(), 2u) << precision << " " << layers;
      EXPECT_NEAR(run.history[1].loss, run.history[0].loss, 1e-6) << precision << " " << layers;  // summed in another order
    }
  }
}

TEST(MixedPrecision, Fp32Bf16AndTf32HaveNoLossScale) {
  const Dataset data = test::learnable_dataset(64, 32);
  for (const char* precision : {"fp32", "tf32", "bf16"}) {
    const Trained run = train(model(std::string("  epochs 1\n  precision ") + precision + "\n"), data, 1);
    EXPECT_FALSE(run.history.front().loss_scale.has_value()) << precision;
  }
}

// Trains `graph` for 11 steps (into its second epoch of 8), saves the checkpoint, edited by
// `edit`, and resumes from the file to the end; the history of both parts, the checkpoint read
// back and the resumed run's parameters.
struct Resumed {
  std::vector<EpochRecord> history;
  Checkpoint checkpoint;
  std::vector<float> params;
};
Resumed stop_at_step_11_and_resume(const Graph& graph, const Dataset& data, const std::function<void(Checkpoint&)>& edit = {}) {
  auto backend = make_cpu_backend();
  const test::TempDir dir;
  const std::filesystem::path file = dir / "checkpoint.safetensors";
  Resumed resumed;
  const auto record = [&](const EpochRecord& r) { resumed.history.push_back(r); };
  {
    Trainer trainer(graph, data, *backend);
    trainer.start(8);
    trainer.fit({.epoch_begin = {}, .step_end = {}, .epoch_end = record,
                 .stop_requested = [&] { return trainer.program().steps_taken() == 11; }});
    Checkpoint checkpoint = trainer.checkpoint();
    if (edit) edit(checkpoint);
    save_checkpoint(file, graph, trainer.program().plan(), checkpoint);
  }
  resumed.checkpoint = load_checkpoint(file, graph, Plan(plan_memory(graph)));
  Trainer second(graph, data, *backend);
  second.resume(resumed.checkpoint, resumed.history);
  second.fit({.epoch_begin = {}, .step_end = {}, .epoch_end = record, .stop_requested = {}});
  resumed.params = second.program().read_params();
  return resumed;
}

void expect_same_run(const Resumed& resumed, const Trained& straight) {
  EXPECT_EQ(resumed.params, straight.params);
  ASSERT_EQ(resumed.history.size(), straight.history.size());
  EXPECT_EQ(resumed.history.back().loss, straight.history.back().loss);
  EXPECT_EQ(resumed.history.back().loss_scale, straight.history.back().loss_scale);
}

// Stopped within an epoch and resumed from its checkpoint, an fp16 run scales and learns as one
// that never stopped: the checkpoint file holds the scale and its run of finite steps.
TEST(MixedPrecision, ResumingAnFp16RunEqualsNotStopping) {
  const Dataset data = test::learnable_dataset(256, 64);
  const Graph graph = model("  epochs 2\n  precision fp16 initial_scale=4 growth_steps=5\n");
  const Resumed resumed = stop_at_step_11_and_resume(graph, data);
  const Checkpoint& checkpoint = resumed.checkpoint;
  ASSERT_TRUE(checkpoint.loss_scale.has_value());
  EXPECT_EQ(checkpoint.loss_scale->scale, 16);  // doubled after steps 5 and 10
  EXPECT_EQ(checkpoint.loss_scale->good_steps, 1);
  EXPECT_EQ(checkpoint.optimizer_iterations, 11) << "no step overflowed";
  expect_same_run(resumed, train(graph, data, 8));
}

// With a scale that overflows at the start and again each time it doubles, the checkpoint counts
// the optimizer's steps apart from the steps taken, and the resumed run continues both counts.
TEST(MixedPrecision, ResumingAnFp16RunThatSkipsStepsEqualsNotStopping) {
  const Dataset data = test::learnable_dataset(256, 64);
  const Graph graph = model("  epochs 2\n  precision fp16 initial_scale=1048576 growth_steps=2\n");
  const Resumed resumed = stop_at_step_11_and_resume(graph, data);
  const double overflows = resumed.history.front().overflow_steps + resumed.checkpoint.epoch_progress.sums.overflow_steps;
  EXPECT_GT(resumed.checkpoint.epoch_progress.sums.overflow_steps, 0) << "no overflow in the stopped epoch";
  EXPECT_EQ(resumed.checkpoint.optimizer_iterations, 11 - overflows);
  expect_same_run(resumed, train(graph, data, 8));
}

// A checkpoint written before gpufm counted the optimizer's steps has no count: every step taken
// is taken as applied, which is right for a run that skipped none.
TEST(MixedPrecision, ACheckpointWithoutTheOptimizersStepCountResumesAsEveryStepApplied) {
  const Dataset data = test::learnable_dataset(256, 64);
  const Graph graph = model("  epochs 2\n  precision fp16 initial_scale=4 growth_steps=5\n");
  const Resumed resumed = stop_at_step_11_and_resume(graph, data, [](Checkpoint& c) { c.optimizer_iterations.reset(); });
  EXPECT_FALSE(resumed.checkpoint.optimizer_iterations.has_value());
  expect_same_run(resumed, train(graph, data, 8));
}

// Keras' LossScaleOptimizer leaves its inner optimizer's step count as it was on an overflow, so
// the first step taken after the overflows at the start is Adam's first: its bias corrections
// make it move the weights with the largest gradients by lr (0.01), no less.
TEST(MixedPrecision, TheFirstStepTakenAfterOverflowsIsAdamsFirst) {
  const Dataset data = test::learnable_dataset(256, 64);
  const Graph graph = model("  epochs 2\n  precision fp16 initial_scale=1073741824 growth_steps=1000\n");
  auto backend = make_cpu_backend();
  Trainer trainer(graph, data, *backend);
  trainer.start(6);
  const std::vector<float> initial = trainer.program().read_params();
  std::int64_t stop_at = 0;
  std::vector<float> params = initial;
  while (params == initial && stop_at < 16) {
    ++stop_at;
    trainer.fit({.epoch_begin = {}, .step_end = {}, .epoch_end = {}, .stop_requested = [&] { return trainer.program().steps_taken() == stop_at; }});
    params = trainer.program().read_params();
  }
  ASSERT_NE(params, initial) << "every step overflowed";
  EXPECT_GT(stop_at, 2) << "the steps before it overflowed";
  EXPECT_EQ(trainer.program().optimizer_iterations(), 1);
  float largest_move = 0;
  for (std::size_t i = 0; i < params.size(); ++i) largest_move = std::max(largest_move, std::abs(params[i] - initial[i]));
  EXPECT_GT(largest_move, 0.0099f);
  EXPECT_LE(largest_move, 0.0100001f);
}

}  // namespace
}  // namespace gpufm
