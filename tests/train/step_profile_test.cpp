// The profiler on the CPU backend: the executor tells an observer each training step's phases in
// the planned order (and nothing of evaluation), the profile times every phase of every timed step
// end to end on one clock, and its Chrome trace holds them.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <numeric>

#include "gpufm/chrome_trace.hpp"
#include "gpufm/profiler_capture.hpp"
#include "gpufm/program.hpp"
#include "gpufm/step_cost.hpp"
#include "gpufm/step_profile.hpp"
#include "support/expect_error.hpp"
#include "support/learnable_set.hpp"

namespace gpufm {
namespace {

Graph classifier() { return compile(dsl::parse(test::learnable_classifier, "test.dsl")); }

// The classifier bound to the CPU backend, all `count` training images to train on, weights drawn.
struct BoundClassifier {
  explicit BoundClassifier(std::size_t count)
      : data(test::learnable_dataset(count, 16)), program(graph, *backend, graph.train.batch), images(program.upload(data.train)) {
    std::vector<std::int32_t> id_list(count);
    std::iota(id_list.begin(), id_list.end(), 0);
    ids = program.upload_ids(id_list);
    program.initialize(3);
  }

  const Graph graph = classifier();
  const Dataset data;
  const std::unique_ptr<Backend> backend = make_cpu_backend();
  Program program;
  const DeviceImages images;
  DeviceIds ids;
};

class RecordingObserver final : public StepObserver {
 public:
  void step_begin(std::int64_t step) override { steps.push_back(step); }
  void phase_end(StepPhase phase) override { phases.push_back(phase); }
  void step_end() override { ++ended; }

  std::vector<std::int64_t> steps;
  std::vector<StepPhase> phases;
  int ended = 0;
};

TEST(StepObserver, SeesEachTrainingStepsPhasesInThePlannedOrder) {
  BoundClassifier bound(64);
  RecordingObserver observer;
  bound.program.set_observer(&observer);
  bound.program.train_epoch(bound.images, bound.ids, 1, 0.01);
  bound.program.evaluate(bound.images, bound.ids);

  EXPECT_EQ(observer.steps, (std::vector<std::int64_t>{1, 2}));  // 64 images in batches of 32; evaluation is not observed
  EXPECT_EQ(observer.ended, 2);
  std::vector<StepPhase> planned;
  for (int step = 0; step < 2; ++step) {
    for (const PhaseCost& cost : training_step_cost(bound.graph, bound.program.plan(), 32)) planned.push_back(cost.phase);
  }
  EXPECT_EQ(observer.phases, planned);
}

TEST(ProfilerCapture, BracketsTheStepsOfItsRange) {
  BoundClassifier bound(128);  // four steps an epoch
  std::vector<std::string> events;
  ProfilerCapture capture(parse_step_range("2:3"), [&](bool on) { events.push_back(on ? "start" : "stop"); });
  bound.program.set_observer(&capture);
  bound.program.train_epoch(bound.images, bound.ids, 1, 0.01,
                            [&](std::int64_t step, std::int64_t, const EpochSoFar&) { events.push_back("step " + std::to_string(step)); });
  // The capture starts as step 2 begins and stops as step 3 ends, each before that step's on_step.
  EXPECT_EQ(events, (std::vector<std::string>{"step 1", "start", "step 2", "stop", "step 3", "step 4"}));
}

TEST(ProfilerCapture, StepRangesAreFirstToLastFromOne) {
  EXPECT_EQ(parse_step_range("20:30").first, 20);
  EXPECT_EQ(parse_step_range("20:30").last, 30);
  EXPECT_EQ(parse_step_range("7").first, 7);
  EXPECT_EQ(parse_step_range("7").last, 7);
  for (const char* bad : {"0:3", "5:2", "a:b", "3:", ":3", "", "2:3:4", "-1:2"}) {
    test::expect_input_error([&] { parse_step_range(bad); }, {"--profile-steps " + std::string(bad) + ": expected FIRST:LAST"});
  }
}

TEST(StepProfile, TimesEveryPhaseOfEveryTimedStepEndToEnd) {
  const Graph graph = classifier();
  const Dataset data = test::learnable_dataset(100, 16);  // three full batches an epoch: the profile runs on past the first
  auto backend = make_cpu_backend();
  const StepProfile profile = profile_training_steps(graph, data.train, *backend, {.warmup_steps = 2, .steps = 5, .seed = 1});

  EXPECT_EQ(profile.model, "test");
  EXPECT_EQ(profile.batch, 32);
  EXPECT_EQ(profile.steps, 5);
  const std::vector<PhaseCost> costs = training_step_cost(graph, plan_memory(graph), 32);
  ASSERT_EQ(profile.phases.size(), costs.size());
  double phase_sum = 0;
  for (std::size_t p = 0; p < costs.size(); ++p) {
    EXPECT_EQ(profile.phases[p].cost.phase, costs[p].phase);
    EXPECT_EQ(profile.phases[p].label, phase_label(graph, costs[p].phase));
    EXPECT_DOUBLE_EQ(profile.phases[p].cost.flops, costs[p].flops);
    EXPECT_GE(profile.phases[p].milliseconds, 0);
    phase_sum += profile.phases[p].milliseconds;
  }
  EXPECT_GT(profile.step_milliseconds, 0);
  // Each phase runs from the previous one's end: together they are the whole step.
  EXPECT_NEAR(phase_sum, profile.step_milliseconds, 1e-9 * profile.step_milliseconds + 1e-12);

  ASSERT_EQ(profile.spans.size(), 5 * costs.size());
  for (std::size_t s = 1; s < profile.spans.size(); ++s) {
    const PhaseSpan& before = profile.spans[s - 1];
    const PhaseSpan& span = profile.spans[s];
    EXPECT_EQ(span.phase, s % costs.size());
    EXPECT_EQ(span.step, static_cast<std::int64_t>(s / costs.size()) + 1);
    EXPECT_GE(span.begin_milliseconds, before.begin_milliseconds + before.milliseconds - 1e-9) << "span " << s << " overlaps";
  }
}

TEST(StepProfile, NeedsAFullBatch) {
  const Graph graph = classifier();
  const Dataset data = test::learnable_dataset(20, 4);
  auto backend = make_cpu_backend();
  test::expect_input_error([&] { profile_training_steps(graph, data.train, *backend, {}); }, {"a batch of 32 images", "it holds 20"});
}

TEST(ChromeTrace, HoldsEachTimedPhaseAsACompleteEvent) {
  StepProfile profile{.model = "cnn", .backend = "CPU", .batch = 2, .steps = 2, .step_milliseconds = 1.5, .phases = {}, .spans = {}};
  profile.phases = {{.cost = {.phase = {PhaseKind::gather, 0}, .flops = 10, .bytes = 20}, .label = "gather", .milliseconds = 0.5},
                    {.cost = {.phase = {PhaseKind::forward, 0}, .flops = 30, .bytes = 40}, .label = "forward dense", .milliseconds = 1}};
  profile.spans = {{.phase = 0, .step = 1, .begin_milliseconds = 1, .milliseconds = 0.5},
                   {.phase = 1, .step = 1, .begin_milliseconds = 1.5, .milliseconds = 1},
                   {.phase = 0, .step = 2, .begin_milliseconds = 3, .milliseconds = 0.5},
                   {.phase = 1, .step = 2, .begin_milliseconds = 3.5, .milliseconds = 1}};
  const nlohmann::json trace = nlohmann::json::parse(chrome_trace_json(profile));
  std::vector<nlohmann::json> complete;
  for (const nlohmann::json& event : trace.at("traceEvents")) {
    if (event.at("ph") == "X") complete.push_back(event);
  }
  ASSERT_EQ(complete.size(), 4u);
  EXPECT_EQ(complete[1].at("name"), "forward dense");
  EXPECT_EQ(complete[1].at("cat"), "forward");
  EXPECT_DOUBLE_EQ(complete[1].at("ts").get<double>(), 1500);  // microseconds
  EXPECT_DOUBLE_EQ(complete[1].at("dur").get<double>(), 1000);
  EXPECT_EQ(complete[2].at("args").at("step"), 2);
  EXPECT_DOUBLE_EQ(complete[3].at("args").at("flops").get<double>(), 30);
}

}  // namespace
}  // namespace gpufm
