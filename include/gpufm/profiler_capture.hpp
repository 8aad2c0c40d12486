// `gpufm train --profile-steps A:B`: a profiler's capture from the start of training step A to
// the end of step B (the run's step count, from 1), so that Nsight Systems records those steps
// only (nsys profile --capture-range=cudaProfilerApi, which waits for cudaProfilerStart).
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "gpufm/step_phase.hpp"

namespace gpufm {

struct StepRange {
  std::int64_t first = 0, last = 0;  // inclusive
};

// "A:B" with 1 <= A <= B, or one step "A"; InputError naming the text otherwise.
StepRange parse_step_range(std::string_view text);

class ProfilerCapture final : public StepObserver {
 public:
  // `capture(true)` starts the capture, `capture(false)` stops it (Backend::set_profiler_capture).
  ProfilerCapture(StepRange steps, std::function<void(bool)> capture) : steps_(steps), capture_(std::move(capture)) {}

  void step_begin(std::int64_t step) override {
    step_ = step;
    if (step == steps_.first) capture_(true);
  }
  void phase_end(StepPhase) override {}
  bool observes_phases() const override { return false; }  // a profiler sees the steps as they run, replayed
  void step_end() override {
    if (step_ == steps_.last) capture_(false);
  }

 private:
  StepRange steps_;
  std::function<void(bool)> capture_;
  std::int64_t step_ = 0;
};

}  // namespace gpufm
