#include "gpufm/step_profile.hpp"

#include <numeric>
#include <stdexcept>

#include "gpufm/error.hpp"
#include "gpufm/format.hpp"
#include "gpufm/plan.hpp"
#include "gpufm/program.hpp"

namespace gpufm {

namespace {

// Marks the timeline at each step's start and at each phase's end; reads it after each timed
// step (a wait for the backend, which a profile can afford and training does not make).
class PhaseTimer final : public StepObserver {
 public:
  PhaseTimer(Backend& backend, StepProfile& profile, std::int64_t warmup_steps, std::int64_t steps)
      : timeline_(backend.make_timeline(profile.phases.size() + 1)), profile_(profile), warmup_steps_(warmup_steps), steps_(steps) {}

  bool done() const { return timed_ == steps_; }

  void step_begin(std::int64_t) override {
    timing_ = seen_++ >= warmup_steps_;
    next_mark_ = 0;
    if (timing_) timeline_->mark(next_mark_++);
  }
  void phase_end(StepPhase phase) override {
    if (!timing_) return;
    if (next_mark_ > profile_.phases.size() || !(profile_.phases[next_mark_ - 1].cost.phase == phase)) {
      throw std::logic_error("profile: " + std::string(name(phase.kind)) + " of layer " + std::to_string(phase.layer) +
                             " out of the step's planned order");
    }
    timeline_->mark(next_mark_++);
  }
  void step_end() override {
    if (!timing_) return;
    if (next_mark_ != profile_.phases.size() + 1) {
      throw std::logic_error("profile: a step ran " + std::to_string(next_mark_ - 1) + " of its " + std::to_string(profile_.phases.size()) +
                             " planned phases");
    }
    const std::vector<double> marks = timeline_->read_milliseconds();
    ++timed_;
    for (std::size_t p = 0; p < profile_.phases.size(); ++p) {
      profile_.phases[p].milliseconds += marks[p + 1] - marks[p];
      profile_.spans.push_back({.phase = p, .step = timed_, .begin_milliseconds = marks[p], .milliseconds = marks[p + 1] - marks[p]});
    }
    profile_.step_milliseconds += marks.back() - marks.front();
  }

 private:
  std::unique_ptr<Timeline> timeline_;
  StepProfile& profile_;
  std::int64_t warmup_steps_, steps_;
  std::int64_t seen_ = 0, timed_ = 0;
  bool timing_ = false;
  std::size_t next_mark_ = 0;
};

}  // namespace

StepProfile profile_training_steps(const Graph& graph, const ImageSplit& train, Backend& backend, const ProfileSettings& settings) {
  if (settings.steps < 1 || settings.warmup_steps < 0) throw InputError("profile: at least one timed step, and no negative warm-up");
  const std::int64_t batch = graph.train.batch;
  const auto full_batches = static_cast<std::int64_t>(train.count) / batch;
  if (full_batches == 0) {
    throw InputError(train.images_path.string() + ": profiling needs a batch of " + with_commas(batch) + " images; it holds " +
                     with_commas(static_cast<std::int64_t>(train.count)));
  }
  Program program(graph, backend, batch);
  StepProfile profile{.model = graph.name, .backend = backend.describe(), .precision = graph.train.precision, .batch = batch, .steps = settings.steps,
                      .step_milliseconds = 0, .phases = {}, .spans = {}};
  for (const PhaseCost& cost : training_step_cost(graph, program.plan(), batch)) {
    profile.phases.push_back({.cost = cost, .label = phase_label(graph, cost.phase), .milliseconds = 0});
  }
  profile.spans.reserve(profile.phases.size() * static_cast<std::size_t>(settings.steps));

  const DeviceImages images = program.upload(train);
  std::vector<std::int32_t> id_list(static_cast<std::size_t>(full_batches * batch));
  std::iota(id_list.begin(), id_list.end(), 0);
  DeviceIds ids = program.upload_ids(id_list);
  program.initialize(settings.seed);
  PhaseTimer timer(backend, profile, settings.warmup_steps, settings.steps);
  program.set_observer(&timer);
  for (std::int64_t epoch = 1; !timer.done(); ++epoch) {
    program.train_epoch(images, ids, epoch, graph.train.optimizer.lr, {}, [&] { return timer.done(); });
  }
  program.set_observer(nullptr);
  for (PhaseProfile& phase : profile.phases) phase.milliseconds /= static_cast<double>(settings.steps);
  profile.step_milliseconds /= static_cast<double>(settings.steps);
  return profile;
}

}  // namespace gpufm
