// A dropout layer that the layer before it applies (plan.hpp's DropoutFusion): the layer drops
// its output as it writes it and starts its backward from the dropped output's gradient, and the
// dropout becomes a view. In fp32, training that way must end exactly as with the dropout's own
// passes (Backend::set_fused_epilogues(false) keeps them); in bf16 and fp16 the applied dropout
// rounds once where the dropout apart rounds twice. The GPU's kernels are held to the CPU's with
// a dropout applied in tests/cuda/op_parity_test.cpp, and whole runs to the GPU's own unfused ones
// in tests/cuda/fused_epilogue_parity_test.cpp.
#include <gtest/gtest.h>

#include <algorithm>

#include "gpufm/plan.hpp"
#include "support/step_graph_runs.hpp"

namespace gpufm::test {
namespace {

// Every layer kind that applies a dropout: relu, leaky_relu and linear convolutions, both pools,
// an upsample, a transposed convolution, a dense layer; and a sigmoid layer, whose dropout runs
// apart.
constexpr const char* every_dropout_applier = R"(input 8x8x1
conv2d 4 3x3 same relu
dropout 0.1
maxpool 2
dropout 0.5
conv2d 6 3x3 same leaky_relu alpha=0.1
dropout 0.1
avgpool 2
dropout 0.1
upsample 2
dropout 0.1
conv2d_transpose 3 3x3 same stride=2
dropout 0.1
flatten
dense 8 relu
dropout 0.1
dense 8 sigmoid
dropout 0.1
dense 4 softmax
train:
  optimizer adam lr=0.01
  batch 32
)";

std::int64_t dropouts_in_previous(const Plan& plan) {
  return std::count(plan.dropout_in_previous.begin(), plan.dropout_in_previous.end(), true);
}

TEST(FusedDropout, RunsInsideTheLayerBeforeWhereThatLayerCanApplyIt) {
  const Graph graph = compile(dsl::parse(every_dropout_applier, "m.dsl"));
  const Plan fused = plan_memory(graph), separate = plan_memory(graph, 4, DropoutFusion::separate);
  const std::vector<bool> expected = {false, true,  false, true, false, true,  false, true,  false,
                                      true,  false, true,  false, false, true, false, false, false};
  EXPECT_EQ(fused.dropout_in_previous, expected);
  EXPECT_EQ(dropouts_in_previous(separate), 0);
  for (std::size_t l = 0; l < graph.layers.size(); ++l) {
    if (!fused.dropout_in_previous[l]) continue;
    EXPECT_EQ(fused.training.output_buffer[l], fused.training.output_buffer[l - 1]) << graph.layers[l].name;
    EXPECT_EQ(fused.training.output_gradient_buffer[l], fused.training.output_gradient_buffer[l - 1]) << graph.layers[l].name;
    EXPECT_NE(separate.training.output_buffer[l], separate.training.output_buffer[l - 1]) << graph.layers[l].name;
  }
  EXPECT_LT(fused.training.unshared_bytes_per_sample, separate.training.unshared_bytes_per_sample);
}

// Not after a layer that cannot apply it (tanh, softmax, a view, batch-norm, another dropout), nor
// first.
TEST(FusedDropout, RunsApartAfterALayerThatCannotApplyIt) {
  const struct {
    const char* model;
    std::int64_t in_previous;
  } cases[] = {
      {"input 4x4x1\ndropout 0.5\nflatten\ndense 2 softmax", 0},
      {"input 4x4x1\nflatten\ndropout 0.5\ndense 2 softmax", 0},
      {"input 16\ndense 4 tanh\ndropout 0.5\ndense 2 softmax", 0},
      {"input 16\ndense 4 softmax\ndropout 0.5\ndense 2 softmax", 0},
      {"input 4x4x1\nbatchnorm\ndropout 0.5\nflatten\ndense 2 softmax", 0},
      {"input 16\ndense 4 relu\ndropout 0.5\ndropout 0.5\ndense 2 softmax", 1},  // the first
  };
  for (const auto& [model, in_previous] : cases) {
    EXPECT_EQ(dropouts_in_previous(plan_memory(compile(dsl::parse(model, "m.dsl")))), in_previous) << model;
  }
}

TEST(FusedDropout, TrainsExactlyAsTheDropoutLayersOwnPasses) {
  const std::unique_ptr<Backend> cpu = make_cpu_backend();
  const ThreeEpochs fused = train_three_epochs(*cpu, every_dropout_applier);
  cpu->set_fused_epilogues(false);
  const ThreeEpochs separate = train_three_epochs(*cpu, every_dropout_applier);
  EXPECT_EQ(fused.dropouts_in_previous, 7);
  EXPECT_EQ(separate.dropouts_in_previous, 0);
  EXPECT_EQ(fused.params, separate.params);
  EXPECT_EQ(fused.optimizer_state, separate.optimizer_state);
  ASSERT_EQ(fused.epochs.size(), separate.epochs.size());
  for (std::size_t e = 0; e < separate.epochs.size(); ++e) {
    EXPECT_EQ(fused.epochs[e].loss, separate.epochs[e].loss) << "epoch " << e + 1;
    EXPECT_EQ(fused.evaluations[e].loss, separate.evaluations[e].loss) << "epoch " << e + 1;
  }
  EXPECT_LT(separate.epochs.back().loss, separate.epochs.front().loss) << "the model should learn";
}

}  // namespace
}  // namespace gpufm::test
