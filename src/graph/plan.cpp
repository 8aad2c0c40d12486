#include "gpufm/plan.hpp"

#include <algorithm>

namespace gpufm {

namespace {

std::int64_t align_up(std::int64_t n, std::int64_t alignment) { return (n + alignment - 1) / alignment * alignment; }

// The trainable parameters of frozen layers first (trained only once fine-tuning starts: the
// optimizer skips that range until then), the other trainable ones, then the non-trainable ones.
void lay_out_params(const Graph& graph, Plan& plan) {
  const std::int64_t alignment = plan_alignment_bytes / 4;  // elements of fp32
  enum class Group { frozen, trainable, non_trainable };
  const auto group_of = [&](const Layer& layer, const ParamSpec& param) {
    if (!param.trainable) return Group::non_trainable;
    return layer.frozen ? Group::frozen : Group::trainable;
  };
  for (const Group group : {Group::frozen, Group::trainable, Group::non_trainable}) {
    for (std::size_t l = 0; l < graph.layers.size(); ++l) {
      const std::vector<ParamSpec>& params = graph.layers[l].params;
      for (std::size_t p = 0; p < params.size(); ++p) {
        if (group_of(graph.layers[l], params[p]) != group) continue;
        plan.params.push_back(ParamSlot{l, p, plan.param_elements, params[p].elements()});
        plan.param_elements = align_up(plan.param_elements + params[p].elements(), alignment);
      }
    }
    if (group == Group::frozen) plan.frozen_elements = plan.param_elements;
    if (group == Group::trainable) plan.trainable_elements = plan.param_elements;
  }
}

// Forward of every layer, the loss, then backward from the last layer to the first that has
// something to train. A backward computes its input's gradient only when an earlier layer
// trains. Frozen layers train only when `frozen_layers_train` (fine-tuning).
std::vector<Step> make_schedule(const Graph& graph, bool frozen_layers_train) {
  std::vector<Step> schedule;
  for (std::size_t l = 0; l < graph.layers.size(); ++l) schedule.push_back(Step{Step::Kind::forward, l, false});
  schedule.push_back(Step{Step::Kind::loss, 0, false});
  std::vector<bool> trains_before(graph.layers.size() + 1, false);  // trains_before[l]: some layer < l trains
  for (std::size_t l = 0; l < graph.layers.size(); ++l) {
    const Layer& layer = graph.layers[l];
    const bool trains = (frozen_layers_train || !layer.frozen) &&
                        std::any_of(layer.params.begin(), layer.params.end(), [](const ParamSpec& p) { return p.trainable; });
    trains_before[l + 1] = trains_before[l] || trains;
  }
  for (std::size_t l = graph.layers.size(); l-- > 0;) {
    if (trains_before[l + 1]) schedule.push_back(Step{Step::Kind::backward, l, trains_before[l]});
  }
  return schedule;
}

class ArenaBuilder {
 public:
  explicit ArenaBuilder(std::int64_t bytes_per_element) : bytes_per_element_(bytes_per_element) {}

  std::size_t add(std::string name, std::int64_t elements) {
    arena_.buffers.push_back(BufferSlot{std::move(name), align_up(elements * bytes_per_element_, plan_alignment_bytes), 0, -1, -1});
    return arena_.buffers.size() - 1;
  }

  void use(std::size_t buffer, int step) {
    BufferSlot& slot = arena_.buffers[buffer];
    slot.first_step = slot.first_step < 0 ? step : std::min(slot.first_step, step);
    slot.last_step = std::max(slot.last_step, step);
  }

  ArenaPlan& arena() { return arena_; }

  // Greedy placement, largest first: each buffer goes at the lowest offset where it overlaps
  // no placed buffer that is alive at the same time.
  ArenaPlan finish() {
    std::vector<std::size_t> order(arena_.buffers.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return arena_.buffers[a].bytes_per_sample > arena_.buffers[b].bytes_per_sample;
    });
    std::vector<const BufferSlot*> placed;
    for (std::size_t index : order) {
      BufferSlot& slot = arena_.buffers[index];
      std::vector<const BufferSlot*> alive;
      for (const BufferSlot* other : placed) {
        if (other->first_step <= slot.last_step && slot.first_step <= other->last_step) alive.push_back(other);
      }
      std::sort(alive.begin(), alive.end(), [](const BufferSlot* a, const BufferSlot* b) { return a->offset_per_sample < b->offset_per_sample; });
      std::int64_t offset = 0;
      for (const BufferSlot* other : alive) {
        if (offset + slot.bytes_per_sample <= other->offset_per_sample) break;
        offset = std::max(offset, other->offset_per_sample + other->bytes_per_sample);
      }
      slot.offset_per_sample = offset;
      placed.push_back(&slot);
      arena_.bytes_per_sample = std::max(arena_.bytes_per_sample, offset + slot.bytes_per_sample);
      arena_.unshared_bytes_per_sample += slot.bytes_per_sample;
    }
    return std::move(arena_);
  }

 private:
  std::int64_t bytes_per_element_;
  ArenaPlan arena_;
};

std::vector<bool> dropouts_in_previous(const Graph& graph, DropoutFusion fusion) {
  std::vector<bool> fused(graph.layers.size(), false);
  if (fusion == DropoutFusion::separate) return fused;
  for (std::size_t l = 1; l < graph.layers.size(); ++l) {
    const Layer& before = graph.layers[l - 1];
    fused[l] = graph.layers[l].op->keyword == "dropout" && before.op->applies_dropout_after != nullptr &&
               before.op->applies_dropout_after(before.attrs);
  }
  return fused;
}

// The outputs of every layer; a layer whose output is its input shares its buffer.
void add_outputs(const Graph& graph, const Plan& plan, ArenaBuilder& builder) {
  ArenaPlan& arena = builder.arena();
  arena.input_buffer = builder.add("input", graph.input.elements());
  std::size_t previous = arena.input_buffer;
  for (std::size_t l = 0; l < graph.layers.size(); ++l) {
    const Layer& layer = graph.layers[l];
    previous = plan.output_aliases_input(graph, l) ? previous : builder.add(layer.name + ".output", layer.output.elements());
    arena.output_buffer.push_back(previous);
  }
  arena.output_gradient_buffer.assign(graph.layers.size(), -1);
}

std::size_t input_of(const ArenaPlan& arena, std::size_t layer) {
  return layer == 0 ? arena.input_buffer : arena.output_buffer[layer - 1];
}

ArenaPlan plan_inference(const Graph& graph, const Plan& plan, std::int64_t bytes_per_element) {
  ArenaBuilder builder(bytes_per_element);
  add_outputs(graph, plan, builder);
  const ArenaPlan& arena = builder.arena();
  for (std::size_t l = 0; l < graph.layers.size(); ++l) {
    const int step = static_cast<int>(l);
    builder.use(input_of(arena, l), step);
    builder.use(arena.output_buffer[l], step);
  }
  builder.use(arena.output_buffer.back(), static_cast<int>(graph.layers.size()));  // read back after the last layer
  return builder.finish();
}

ArenaPlan plan_training(const Graph& graph, const Plan& plan, std::int64_t bytes_per_element) {
  const std::vector<Step>& schedule = plan.schedule;
  ArenaBuilder builder(bytes_per_element);
  add_outputs(graph, plan, builder);
  ArenaPlan& arena = builder.arena();
  const std::size_t last = graph.layers.size() - 1;
  for (std::size_t s = 0; s < schedule.size(); ++s) {
    const Step& step = schedule[s];
    const int at = static_cast<int>(s);
    if (step.kind == Step::Kind::loss) {
      builder.use(arena.output_buffer[last], at);
      if (graph.train.target == Target::input) builder.use(arena.input_buffer, at);  // the input is the target
      if (s + 1 < schedule.size()) {  // a backward follows: the loss writes the output's gradient
        arena.output_gradient_buffer[last] = static_cast<long>(builder.add(graph.layers[last].name + ".output_gradient",
                                                                           graph.layers[last].output.elements()));
        builder.use(static_cast<std::size_t>(arena.output_gradient_buffer[last]), at);
      }
      continue;
    }
    const Layer& layer = graph.layers[step.layer];
    const std::size_t input = input_of(arena, step.layer), output = arena.output_buffer[step.layer];
    if (step.kind == Step::Kind::forward) {
      builder.use(input, at);
      builder.use(output, at);
      continue;
    }
    const SavedForBackward saved = layer.op->saved_for_backward(layer.attrs);
    if (saved.input) builder.use(input, at);
    if (saved.output) builder.use(output, at);
    builder.use(static_cast<std::size_t>(arena.output_gradient_buffer[step.layer]), at);
    if (!step.input_gradient) continue;
    // The gradient of this layer's input is the gradient of the previous layer's output; a
    // layer whose output is its input passes its own gradient buffer through.
    const std::size_t below = step.layer - 1;
    if (arena.output_gradient_buffer[below] < 0) {
      arena.output_gradient_buffer[below] = plan.output_aliases_input(graph, step.layer)
                                                ? arena.output_gradient_buffer[step.layer]
                                                : static_cast<long>(builder.add(graph.layers[below].name + ".output_gradient",
                                                                                graph.layers[below].output.elements()));
    }
    builder.use(static_cast<std::size_t>(arena.output_gradient_buffer[below]), at);
  }
  return builder.finish();
}

}  // namespace

Plan plan_memory(const Graph& graph, std::int64_t bytes_per_element, DropoutFusion fusion) {
  Plan plan;
  plan.dropout_in_previous = dropouts_in_previous(graph, fusion);
  lay_out_params(graph, plan);
  plan.schedule = make_schedule(graph, true);
  plan.frozen_schedule = make_schedule(graph, false);
  plan.inference = plan_inference(graph, plan, bytes_per_element);
  // The widest schedule: the frozen one runs a part of its steps, in the same order.
  plan.training = plan_training(graph, plan, bytes_per_element);
  return plan;
}

}  // namespace gpufm
