// Captured steps (Backend::capture), checked on the CPU under a CUDA graph's rules: a Program
// trained on the RecordingBackend, whose replays run the calls as they were captured, ends with
// the very parameters, optimizer state, metrics and loss scale of the same training run call by
// call. Every value that changes per step (the batch's ids, dropout's masks, the augmentation, the
// optimizer's learning rate and bias corrections, the step's number) must then come from backend
// memory (StepNumbers), and nothing in a step may wait for the backend or allocate.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "gpufm/program.hpp"
#include "support/learnable_set.hpp"
#include "support/recording_backend.hpp"
#include "support/step_graph_runs.hpp"

namespace gpufm::test {
namespace {

void expect_same_metrics(const PassMetrics& replayed, const PassMetrics& called, const std::string& what) {
  EXPECT_EQ(replayed.loss, called.loss) << what;
  EXPECT_EQ(replayed.accuracy, called.accuracy) << what;
  EXPECT_EQ(replayed.samples, called.samples) << what;
  EXPECT_EQ(replayed.nonfinite_steps, called.nonfinite_steps) << what;
  EXPECT_EQ(replayed.overflow_steps, called.overflow_steps) << what;
  EXPECT_EQ(replayed.confusion, called.confusion) << what;
}

// Returns the run called one by one.
ThreeEpochs expect_replays_train_as_calls_do(const std::string& model) {
  RecordingBackend recording;
  const ThreeEpochs replayed = train_three_epochs(recording, model);
  const std::unique_ptr<Backend> cpu = make_cpu_backend();
  cpu->set_step_graphs(false);
  const ThreeEpochs called = train_three_epochs(*cpu, model);

  // Each of the four kinds of batch (training's 32 and 4, evaluation's 32 and 8) runs alone on its
  // first call and is captured on its second. Replays: training 2 + 4 + 4 over the epochs (the
  // stop and resume change nothing), evaluation 0 + 2 + 2.
  EXPECT_EQ(recording.exclusive_runs(), 4);
  EXPECT_EQ(recording.captures(), 4);
  EXPECT_EQ(recording.replays(), 14);
  EXPECT_EQ(replayed.params, called.params);
  EXPECT_EQ(replayed.optimizer_state, called.optimizer_state);
  EXPECT_EQ(replayed.epochs.size(), called.epochs.size());
  for (std::size_t e = 0; e < std::min(called.epochs.size(), replayed.epochs.size()); ++e) {
    expect_same_metrics(replayed.epochs[e], called.epochs[e], "training epoch " + std::to_string(e + 1));
    expect_same_metrics(replayed.evaluations[e], called.evaluations[e], "evaluation after epoch " + std::to_string(e + 1));
  }
  EXPECT_EQ(replayed.loss_scale.has_value(), called.loss_scale.has_value());
  if (called.loss_scale && replayed.loss_scale) {
    EXPECT_EQ(replayed.loss_scale->scale, called.loss_scale->scale);
    EXPECT_EQ(replayed.loss_scale->good_steps, called.loss_scale->good_steps);
  }
  return called;
}

TEST(StepGraphs, ReplayedStepsTrainAsStepsCalledOneByOne) {
  const ThreeEpochs called = expect_replays_train_as_calls_do(drawing_model);
  EXPECT_LT(called.epochs.back().loss, called.epochs.front().loss) << "the model should learn";
}

// fp16's loss scale starts so high that the first steps overflow and are skipped, then grows
// every two good steps: the skips and the scale live in backend memory.
TEST(StepGraphs, ReplayedFp16StepsSkipAndRescaleAsStepsCalledOneByOne) {
  const ThreeEpochs called =
      expect_replays_train_as_calls_do(std::string(drawing_model) + "  precision fp16 initial_scale=131072 growth_steps=2\n");
  std::int64_t overflows = 0;
  for (const PassMetrics& epoch : called.epochs) overflows += epoch.overflow_steps;
  EXPECT_GT(overflows, 0);
  EXPECT_LT(overflows, 12) << "of 12 steps, some should be taken";
}

// A backend that cannot capture a step (a GPU whose library refuses), or whose captured step fails
// to launch (out of memory for the graph), leaves every step called one by one, with the same
// results, and the reason on record.
TEST(StepGraphs, AFailedCaptureOrReplayLeavesStepsCalledOneByOne) {
  const std::unique_ptr<Backend> cpu = make_cpu_backend();
  cpu->set_step_graphs(false);
  const ThreeEpochs called = train_three_epochs(*cpu, drawing_model);
  EXPECT_EQ(called.capture_failure, std::nullopt);
  const std::string capture_failure = "cudaStreamEndCapture: operation not permitted when stream is capturing";
  const std::string replay_failure = "cudaGraphLaunch: out of memory";
  for (const bool at_replay : {false, true}) {
    SCOPED_TRACE(at_replay ? "failing replays" : "failing captures");
    RecordingBackend recording;
    if (at_replay) {
      recording.fail_replays(replay_failure);
    } else {
      recording.fail_captures(capture_failure);
    }
    const ThreeEpochs fallen_back = train_three_epochs(recording, drawing_model);
    EXPECT_EQ(recording.replays(), 0);
    EXPECT_EQ(recording.captures(), at_replay ? 1 : 0);
    EXPECT_EQ(fallen_back.capture_failure, at_replay ? replay_failure : capture_failure);
    EXPECT_EQ(fallen_back.params, called.params);
  }
}

TEST(StepGraphs, ACapturedStepMayNotReadBack) {
  RecordingBackend recording;
  DeviceBuffer value = recording.allocate(sizeof(float));
  float host = 0;
  EXPECT_THROW(recording.capture([&] { recording.copy_to_host(&host, value.as(), sizeof host); }), std::logic_error);
  EXPECT_THROW(recording.capture([&] { recording.allocate(4); }), std::logic_error);
}

TEST(StepGraphs, TheCpuCountsNoKernels) {
  const Graph graph = compile(dsl::parse(drawing_model, "drawing.dsl"));
  const std::unique_ptr<Backend> cpu = make_cpu_backend();
  Program program(graph, *cpu, graph.train.batch);
  program.initialize(1);
  const Dataset data = learnable_dataset(100, 4);
  const DeviceImages images = program.upload(data.train);
  std::vector<std::int32_t> ids(data.train.count);
  std::iota(ids.begin(), ids.end(), 0);
  DeviceIds device_ids = program.upload_ids(ids);
  EXPECT_EQ(program.training_step_kernels(), std::nullopt);
  program.train_epoch(images, device_ids, 1, 0.01);
  EXPECT_EQ(program.training_step_kernels(), std::nullopt) << "the CPU replays its steps, but has no kernels to count";
}

// A partial forward pass (predict, for explain and reconstruct) is never captured, and each of its
// batches runs while no other backend captures: any may be its kind's first run, where a GPU's
// libraries set themselves up.
TEST(StepGraphs, PredictedBatchesRunExclusivelyAndUncaptured) {
  const Graph graph = compile(dsl::parse(drawing_model, "drawing.dsl"));
  RecordingBackend recording;
  Program program(graph, recording, graph.train.batch);
  program.initialize(1);
  const Dataset data = learnable_dataset(100, 4);
  const DeviceImages images = program.upload(data.train);
  std::vector<std::int32_t> ids(data.train.count);
  std::iota(ids.begin(), ids.end(), 0);
  for (int pass = 0; pass < 2; ++pass) program.predict(images, ids, 3);
  EXPECT_EQ(recording.exclusive_runs(), 8) << "two passes of four batches (32, 32, 32, 4)";
  EXPECT_EQ(recording.captures(), 0);
}

}  // namespace
}  // namespace gpufm::test
