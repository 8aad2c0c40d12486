#include "gpufm/step_cost.hpp"

#include <algorithm>

#include "gpufm/op.hpp"
#include "gpufm/optimizer_math.hpp"

namespace gpufm {

namespace {

constexpr double float_bytes = 4;

double param_elements(const Layer& layer, bool trainable_only) {
  double elements = 0;
  for (const ParamSpec& param : layer.params) {
    if (param.trainable || !trainable_only) elements += static_cast<double>(param.elements());
  }
  return elements;
}

// Forward reads the input and every parameter and writes the output. A layer whose output is its
// input costs nothing: a view computes nothing, and a dropout that the layer before applies adds
// a multiply a value to that layer's pass, too little to count.
PhaseCost forward_cost(const Layer& layer, std::int64_t batch, bool output_aliases_input) {
  if (output_aliases_input) return {.phase = {PhaseKind::forward, 0}, .flops = 0, .bytes = 0};
  const auto samples = static_cast<double>(batch);
  const LayerFlops flops = layer.op->flops(layer.attrs, layer.input, layer.output);
  return {.phase = {PhaseKind::forward, 0},
          .flops = samples * flops.forward,
          .bytes = float_bytes * (samples * static_cast<double>(layer.input.elements() + layer.output.elements()) + param_elements(layer, false))};
}

// Backward reads the output's gradient, what the op saved and the parameters, and writes the
// trainable parameters' gradients and, when asked, the input's gradient; as forward, a layer whose
// output is its input costs nothing.
PhaseCost backward_cost(const Layer& layer, std::int64_t batch, bool output_aliases_input, bool input_gradient, bool trains_params) {
  if (output_aliases_input) return {.phase = {PhaseKind::backward, 0}, .flops = 0, .bytes = 0};
  const auto samples = static_cast<double>(batch);
  const LayerFlops flops = layer.op->flops(layer.attrs, layer.input, layer.output);
  PhaseCost cost{.phase = {PhaseKind::backward, 0},
                 .flops = samples * ((trains_params ? flops.backward_params : 0) + (input_gradient ? flops.backward_input : 0)),
                 .bytes = 0};
  const SavedForBackward saved = layer.op->saved_for_backward(layer.attrs);
  const auto in = static_cast<double>(layer.input.elements()), out = static_cast<double>(layer.output.elements());
  const double per_sample = out + (saved.input ? in : 0) + (saved.output ? out : 0) + (input_gradient ? in : 0);
  const double params = param_elements(layer, false) + (trains_params ? param_elements(layer, true) : 0);
  cost.bytes = float_bytes * (samples * per_sample + params);
  return cost;
}

}  // namespace

std::vector<PhaseCost> training_step_cost(const Graph& graph, const Plan& plan, std::int64_t batch, bool fine_tuning) {
  const auto samples = static_cast<double>(batch);
  const auto pixels = static_cast<double>(graph.input.elements());
  std::vector<PhaseCost> phases;
  // One byte a pixel and a label read; a float a pixel and a label written.
  phases.push_back({.phase = {PhaseKind::gather, 0}, .flops = samples * pixels, .bytes = samples * (pixels * (1 + float_bytes) + 1 + 4)});
  for (const Step& step : fine_tuning ? plan.schedule : plan.frozen_schedule) {
    const Layer* layer = step.kind == Step::Kind::loss ? nullptr : &graph.layers[step.layer];
    PhaseCost cost;
    if (step.kind == Step::Kind::forward) {
      cost = forward_cost(*layer, batch, plan.output_aliases_input(graph, step.layer));
    } else if (step.kind == Step::Kind::backward) {
      cost = backward_cost(*layer, batch, plan.output_aliases_input(graph, step.layer), step.input_gradient, fine_tuning || !layer->frozen);
    } else {
      // Reads the output (and the input, for a target that is the input), writes its gradient.
      const auto outputs = static_cast<double>(graph.output().elements());
      const double reads = outputs * (graph.train.target == Target::input ? 2 : 1);
      cost = {.phase = {PhaseKind::loss, 0}, .flops = samples * 4 * outputs, .bytes = float_bytes * samples * (reads + outputs)};
    }
    cost.phase.layer = layer == nullptr ? 0 : step.layer;
    phases.push_back(cost);
  }
  // Each trained parameter: read it, its gradient and its state; write it and its state. Updates
  // cost a handful of operations per state slot.
  const auto trained = static_cast<double>(plan.trainable_elements - (fine_tuning ? 0 : plan.frozen_elements));
  const auto slots = static_cast<double>(optimizer_state_slots(graph.train.optimizer));
  phases.push_back({.phase = {PhaseKind::optimizer, 0}, .flops = trained * (2 + 5 * slots), .bytes = float_bytes * trained * (3 + 2 * slots)});
  return phases;
}

StepTotals totals(const std::vector<PhaseCost>& phases) {
  StepTotals sum;
  for (const PhaseCost& phase : phases) {
    sum.flops += phase.flops;
    sum.bytes += phase.bytes;
  }
  return sum;
}

double step_time_limit_seconds(const std::vector<PhaseCost>& phases, double peak_flops, double peak_bytes_per_second) {
  double seconds = 0;
  for (const PhaseCost& phase : phases) seconds += std::max(phase.flops / peak_flops, phase.bytes / peak_bytes_per_second);
  return seconds;
}

}  // namespace gpufm
