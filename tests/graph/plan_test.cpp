#include "gpufm/plan.hpp"

#include <gtest/gtest.h>

namespace gpufm {
namespace {

Graph model(const std::string& name) { return compile_file(std::string(GPUFM_SOURCE_DIR) + "/models/" + name); }

// No two buffers that are alive at the same step may share bytes, and all fit in the arena.
void expect_no_live_overlap(const ArenaPlan& arena) {
  for (std::size_t i = 0; i < arena.buffers.size(); ++i) {
    const BufferSlot& a = arena.buffers[i];
    EXPECT_LE(a.offset_per_sample + a.bytes_per_sample, arena.bytes_per_sample) << a.name;
    EXPECT_EQ(a.offset_per_sample % plan_alignment_bytes, 0) << a.name;
    EXPECT_LE(a.first_step, a.last_step) << a.name << " is never used";
    for (std::size_t j = i + 1; j < arena.buffers.size(); ++j) {
      const BufferSlot& b = arena.buffers[j];
      const bool alive_together = a.first_step <= b.last_step && b.first_step <= a.last_step;
      const bool share_bytes = a.offset_per_sample < b.offset_per_sample + b.bytes_per_sample &&
                               b.offset_per_sample < a.offset_per_sample + a.bytes_per_sample;
      EXPECT_FALSE(alive_together && share_bytes) << a.name << " and " << b.name;
    }
  }
}

class PlanOfEveryModel : public testing::TestWithParam<const char*> {};

TEST_P(PlanOfEveryModel, BuffersAliveTogetherNeverShareBytes) {
  const Plan plan = plan_memory(model(GetParam()));
  expect_no_live_overlap(plan.training);
  expect_no_live_overlap(plan.inference);
  EXPECT_LE(plan.training.bytes_per_sample, plan.training.unshared_bytes_per_sample);
  EXPECT_LE(plan.inference.bytes_per_sample, plan.training.bytes_per_sample);
}

// Trainable first, and of those the frozen layers' first (trained only when fine-tuning).
TEST_P(PlanOfEveryModel, ParametersAreOneFlatBufferTrainableFirst) {
  const Graph graph = model(GetParam());
  const Plan plan = plan_memory(graph);
  std::int64_t trainable = 0, total = 0, end = 0;
  for (const ParamSlot& slot : plan.params) {
    const ParamSpec& spec = graph.layers[slot.layer].params[slot.param];
    EXPECT_EQ(slot.elements, spec.elements());
    EXPECT_EQ(slot.offset % (plan_alignment_bytes / 4), 0);
    EXPECT_GE(slot.offset, end) << "slots overlap or are out of order";
    const Layer& layer = graph.layers[slot.layer];
    EXPECT_EQ(spec.trainable, slot.offset < plan.trainable_elements) << layer.name << "." << spec.name;
    EXPECT_EQ(spec.trainable && layer.frozen, slot.offset < plan.frozen_elements) << layer.name << "." << spec.name;
    end = slot.offset + slot.elements;
    total += slot.elements;
    trainable += spec.trainable && !layer.frozen ? slot.elements : 0;
  }
  EXPECT_EQ(total, graph.param_count());
  EXPECT_EQ(trainable, graph.trainable_param_count());
  EXPECT_LE(end, plan.param_elements);
}

INSTANTIATE_TEST_SUITE_P(Models, PlanOfEveryModel,
                         testing::Values("mlp_small.dsl", "mlp.dsl", "cnn.dsl", "cnn_bn.dsl", "cnn_same.dsl", "autoencoder.dsl",
                                         "autoencoder_dense.dsl", "autoencoder_classifier.dsl"),
                         [](const testing::TestParamInfo<const char*>& info) {
                           std::string name = info.param;
                           return name.substr(0, name.find('.'));
                         });

TEST(Plan, DeepModelsReuseActivationMemory) {
  const Plan plan = plan_memory(model("autoencoder.dsl"));
  EXPECT_LT(plan.training.bytes_per_sample, plan.training.unshared_bytes_per_sample * 6 / 10);
  // Inference keeps only a layer's input and output: the largest such pair bounds the arena.
  EXPECT_EQ(plan.inference.bytes_per_sample, 2 * 28 * 28 * 128 * 4);
}

TEST(Plan, ScheduleRunsForwardLossThenNeededBackwards) {
  const Graph graph = compile(dsl::parse("input 784\ndropout 0.1\ndense 8 relu\nflatten\ndense 10 softmax", "m.dsl"));
  const Plan plan = plan_memory(graph);
  using Kind = Step::Kind;
  ASSERT_EQ(plan.schedule.size(), 4u + 1u + 3u);  // no backward for the leading dropout
  for (std::size_t l = 0; l < 4; ++l) EXPECT_EQ(plan.schedule[l].kind, Kind::forward);
  EXPECT_EQ(plan.schedule[4].kind, Kind::loss);
  EXPECT_EQ(plan.schedule[5].layer, 3u);
  EXPECT_TRUE(plan.schedule[5].input_gradient);
  EXPECT_EQ(plan.schedule[7].layer, 1u);
  EXPECT_FALSE(plan.schedule[7].input_gradient);  // nothing below the first dense trains
}

TEST(Plan, ViewsShareTheirInputsBuffers) {
  const Graph graph = compile(dsl::parse("input 28x28x1\nconv2d 2 3\nflatten\ndense 10 softmax", "m.dsl"));
  const Plan plan = plan_memory(graph);
  EXPECT_EQ(plan.training.output_buffer[1], plan.training.output_buffer[0]);  // flatten
  EXPECT_EQ(plan.training.output_gradient_buffer[0], plan.training.output_gradient_buffer[1]);
  EXPECT_NE(plan.training.output_gradient_buffer[2], plan.training.output_gradient_buffer[1]);
  EXPECT_EQ(plan.training.buffers[plan.training.input_buffer].bytes_per_sample, 28 * 28 * 4);
  EXPECT_EQ(plan.training.buffers[plan.training.output_buffer[2]].bytes_per_sample, 64);  // 10 floats, 64-byte aligned
}

TEST(Plan, ActivationSizesFollowTheElementSize) {
  const Graph graph = model("cnn.dsl");
  EXPECT_EQ(plan_memory(graph, 2).inference.bytes_per_sample * 2, plan_memory(graph, 4).inference.bytes_per_sample);
}

}  // namespace
}  // namespace gpufm
