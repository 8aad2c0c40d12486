#include "gpufm/step_phase.hpp"

#include "gpufm/graph.hpp"

namespace gpufm {

const char* name(PhaseKind kind) {
  switch (kind) {
    case PhaseKind::gather: return "gather";
    case PhaseKind::forward: return "forward";
    case PhaseKind::loss: return "loss";
    case PhaseKind::backward: return "backward";
    case PhaseKind::optimizer: return "optimizer";
  }
  return "?";
}

std::string phase_label(const Graph& graph, StepPhase phase) {
  if (phase.kind != PhaseKind::forward && phase.kind != PhaseKind::backward) return name(phase.kind);
  return std::string(name(phase.kind)) + " " + graph.layers.at(phase.layer).name;
}

}  // namespace gpufm
