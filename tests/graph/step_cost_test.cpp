// The estimated arithmetic and memory traffic of a training step, worked out by hand for small
// models; every op states its FLOPs; the roofline limit of a step.
#include <gtest/gtest.h>

#include "gpufm/dsl.hpp"
#include "gpufm/op.hpp"
#include "gpufm/step_cost.hpp"

namespace gpufm {
namespace {

Graph model(const std::string& text) { return compile(dsl::parse(text, "test.dsl")); }

const PhaseCost& phase_of(const std::vector<PhaseCost>& phases, PhaseKind kind, std::size_t layer = 0) {
  for (const PhaseCost& cost : phases) {
    if (cost.phase == StepPhase{kind, layer}) return cost;
  }
  throw std::logic_error(std::string("no phase ") + name(kind));
}

TEST(StepCost, PhasesRunInTheExecutorsOrder) {
  const Graph graph = model("input 4\ndense 3 relu\ndense 2 softmax\ntrain:\n  batch 8\n");
  const std::vector<PhaseCost> phases = training_step_cost(graph, plan_memory(graph), 8);
  std::vector<StepPhase> order;
  for (const PhaseCost& cost : phases) order.push_back(cost.phase);
  const std::vector<StepPhase> expected = {{PhaseKind::gather, 0},   {PhaseKind::forward, 0},  {PhaseKind::forward, 1},
                                           {PhaseKind::loss, 0},     {PhaseKind::backward, 1}, {PhaseKind::backward, 0},
                                           {PhaseKind::optimizer, 0}};
  EXPECT_EQ(order, expected);
}

TEST(StepCost, DenseLayersCountTheirProductsTwiceForBackward) {
  const Graph graph = model("input 4\ndense 3 relu\ndense 2 softmax\ntrain:\n  batch 8\n");
  const std::vector<PhaseCost> phases = training_step_cost(graph, plan_memory(graph), 8);
  // Forward: 2 x in x units per sample, plus bias and activation on each output.
  EXPECT_DOUBLE_EQ(phase_of(phases, PhaseKind::forward, 0).flops, 8 * (2.0 * 4 * 3 + 2 * 3));
  EXPECT_DOUBLE_EQ(phase_of(phases, PhaseKind::forward, 1).flops, 8 * (2.0 * 3 * 2 + 2 * 2));
  // The second layer's backward makes its weight gradient and its input's gradient; the first
  // layer's only its weights' (nothing before it wants its input's).
  EXPECT_DOUBLE_EQ(phase_of(phases, PhaseKind::backward, 1).flops, 8 * ((2.0 * 3 * 2 + 2 * 2) + 2.0 * 3 * 2));
  EXPECT_DOUBLE_EQ(phase_of(phases, PhaseKind::backward, 0).flops, 8 * (2.0 * 4 * 3 + 2 * 3));
  // Forward bytes: the batch's input and output floats, and the layer's 15 parameters once.
  EXPECT_DOUBLE_EQ(phase_of(phases, PhaseKind::forward, 0).bytes, 4 * (8.0 * (4 + 3) + 15));
  // Backward of the first layer: the output's gradient, the saved input and output, the
  // parameters read and their gradients written; no input gradient.
  EXPECT_DOUBLE_EQ(phase_of(phases, PhaseKind::backward, 0).bytes, 4 * (8.0 * (3 + 4 + 3) + 15 + 15));
  // Adam over the flat trainable buffer, each tensor aligned to 16 floats (4 tensors: 64 elements),
  // each element read with its gradient and two moments, written with its moments.
  EXPECT_DOUBLE_EQ(phase_of(phases, PhaseKind::optimizer).bytes, 4 * 64.0 * (3 + 2 * 2));
}

TEST(StepCost, ConvolutionsCountEachOutputsWindow) {
  const Graph graph = model("input 6x6x2\nconv2d 3 3x3 relu\nconv2d_transpose 2 2x2 stride=2\nflatten\ndense 2 softmax\n");
  const std::vector<PhaseCost> phases = training_step_cost(graph, plan_memory(graph), 1);
  // conv2d: a 4x4x3 output, each a sum over a 3x3x2 window.
  EXPECT_DOUBLE_EQ(phase_of(phases, PhaseKind::forward, 0).flops, 2.0 * (4 * 4 * 3) * (3 * 3 * 2) + 2 * (4 * 4 * 3));
  // conv2d_transpose: each of the 4x4x3 inputs spreads over a 2x2 window of 2 filters.
  EXPECT_DOUBLE_EQ(phase_of(phases, PhaseKind::forward, 1).flops, 2.0 * (4 * 4 * 3) * (2 * 2 * 2) + 2 * (8 * 8 * 2));
  // A view moves nothing.
  EXPECT_DOUBLE_EQ(phase_of(phases, PhaseKind::forward, 2).flops, 0);
  EXPECT_DOUBLE_EQ(phase_of(phases, PhaseKind::forward, 2).bytes, 0);
}

// Apart, a dropout reads and writes its values each way; applied by the layer before, it costs
// nothing of its own.
TEST(StepCost, ADropoutAppliedByTheLayerBeforeCostsNothingOfItsOwn) {
  const Graph graph = model("input 4\ndense 3 relu\ndropout 0.5\ndense 2 softmax\n");
  const std::vector<PhaseCost> apart = training_step_cost(graph, plan_memory(graph, 4, DropoutFusion::separate), 8);
  EXPECT_DOUBLE_EQ(phase_of(apart, PhaseKind::forward, 1).flops, 8 * 3.0);
  EXPECT_DOUBLE_EQ(phase_of(apart, PhaseKind::forward, 1).bytes, 4 * 8.0 * (3 + 3));
  EXPECT_DOUBLE_EQ(phase_of(apart, PhaseKind::backward, 1).bytes, 4 * 8.0 * (3 + 3));
  const std::vector<PhaseCost> applied = training_step_cost(graph, plan_memory(graph), 8);
  for (const PhaseKind kind : {PhaseKind::forward, PhaseKind::backward}) {
    EXPECT_DOUBLE_EQ(phase_of(applied, kind, 1).flops, 0) << name(kind);
    EXPECT_DOUBLE_EQ(phase_of(applied, kind, 1).bytes, 0) << name(kind);
    EXPECT_DOUBLE_EQ(phase_of(applied, kind, 0).bytes, phase_of(apart, kind, 0).bytes) << name(kind);
  }
}

TEST(StepCost, FrozenLayersTrainNoParametersUntilFineTuning) {
  const Graph graph = model("input 4\nblock base from \"base.safetensors\" frozen:\n  dense 3 relu\ndense 2 softmax\ntrain:\n  batch 2\n  fine_tune epochs=1 lr=1e-4\n");
  const Plan plan = plan_memory(graph);
  const std::vector<PhaseCost> frozen = training_step_cost(graph, plan, 2);
  for (const PhaseCost& cost : frozen) EXPECT_NE(cost.phase, (StepPhase{PhaseKind::backward, 0})) << "a frozen first layer runs no backward";
  // The last layer's two tensors, 16 floats each once aligned; fine-tuning adds the first's two.
  EXPECT_DOUBLE_EQ(phase_of(frozen, PhaseKind::optimizer).bytes, 4 * 32.0 * (3 + 2 * 2));
  const std::vector<PhaseCost> fine_tuning = training_step_cost(graph, plan, 2, true);
  EXPECT_DOUBLE_EQ(phase_of(fine_tuning, PhaseKind::backward, 0).flops, 2 * (2.0 * 4 * 3 + 2 * 3));
  EXPECT_DOUBLE_EQ(phase_of(fine_tuning, PhaseKind::optimizer).bytes, 4 * 64.0 * (3 + 2 * 2));
}

TEST(StepCost, EveryOpStatesItsArithmetic) {
  for (const OpDef* op : op_table()) EXPECT_NE(op->flops, nullptr) << op->keyword;
}

TEST(StepCost, TheLimitTakesEachPhaseAtTheRateThatBoundsIt) {
  const std::vector<PhaseCost> phases = {{.phase = {PhaseKind::forward, 0}, .flops = 1000, .bytes = 10},
                                         {.phase = {PhaseKind::forward, 1}, .flops = 10, .bytes = 1000}};
  // At 100 FLOP/s and 10 B/s: 10 s of arithmetic, then 100 s of traffic.
  EXPECT_DOUBLE_EQ(step_time_limit_seconds(phases, 100, 10), 110);
  const StepTotals sum = totals(phases);
  EXPECT_DOUBLE_EQ(sum.flops, 1010);
  EXPECT_DOUBLE_EQ(sum.bytes, 1010);
}

}  // namespace
}  // namespace gpufm
