// The phases of a training step as the executor runs them: the batch gathered, each layer's
// forward, the loss, the backwards that are needed, the optimizer. NVTX ranges, the profiler and
// the cost estimates name them alike.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace gpufm {

struct Graph;

enum class PhaseKind { gather, forward, loss, backward, optimizer };

struct StepPhase {
  PhaseKind kind = PhaseKind::forward;
  std::size_t layer = 0;  // forward and backward only
  bool operator==(const StepPhase&) const = default;
};

const char* name(PhaseKind kind);                           // "forward"
std::string phase_label(const Graph& graph, StepPhase phase);  // "forward conv2d_1", "optimizer"

// Told of each training step's phases as the host queues them; a backend may run them later
// (a GPU's stream), so an observer that times them records events on the backend's timeline.
class StepObserver {
 public:
  virtual ~StepObserver() = default;
  virtual void step_begin(std::int64_t step) = 0;  // the run's step count, from 1
  virtual void phase_end(StepPhase phase) = 0;
  virtual void step_end() = 0;
  // Whether it needs each phase's end: the step then runs call by call, never replayed as a
  // whole (Backend::capture), which has no phases to tell of. One that needs only the steps'
  // bounds leaves steps replayed, and phase_end is not called.
  virtual bool observes_phases() const { return true; }
};

}  // namespace gpufm
