#include "gpufm/checkpoint.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <type_traits>

#include "gpufm/safetensors.hpp"

namespace gpufm {

namespace {

constexpr const char* optimizer_tensor = "optimizer.state";

std::string tensor_name(const Graph& graph, const ParamSlot& slot) {
  return graph.layers[slot.layer].name + "." + graph.layers[slot.layer].params[slot.param].name;
}

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string text = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) text += ", ";
    text += std::to_string(shape[i]);
  }
  return text + "]";
}

// A count, or a metric sum (written by to_chars, so that it reads back as the same double).
template <class Number>
Number metadata_number(const SafetensorsFile& file, const std::string& key, const std::string& origin) {
  const auto it = file.metadata.find(key);
  Number value = 0;
  if (it == file.metadata.end()) throw InputError(origin + ": not a gpufm checkpoint (no \"" + key + "\" in its metadata)");
  const auto [end, status] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), value);
  if (status != std::errc() || end != it->second.data() + it->second.size() || !std::isfinite(static_cast<double>(value))) {
    throw InputError(origin + ": metadata \"" + key + "\" is \"" + it->second + "\", expected " +
                     (std::is_integral_v<Number> ? "a count" : "a finite number"));
  }
  return value;
}

// A parameter's values from its tensor in `file`, checked: there, F32 of its shape, finite.
// `missing` ends the message when the tensor is not there.
void read_param(const SafetensorsFile& file, const Graph& graph, const ParamSlot& slot, const std::string& origin,
                const std::string& missing, std::span<float> values) {
  const std::string name = tensor_name(graph, slot);
  const ParamSpec& spec = graph.layers[slot.layer].params[slot.param];
  const NamedTensor* tensor = file.find(name);
  if (tensor == nullptr) throw InputError(origin + ": no tensor \"" + name + "\"; " + missing);
  if (tensor->dtype != TensorDtype::f32 || tensor->shape != spec.shape) {
    throw InputError(origin + ": tensor \"" + name + "\" is " + std::string(dtype_name(tensor->dtype)) + " " + shape_text(tensor->shape) +
                     ", the model needs F32 " + shape_text(spec.shape));
  }
  check_finite(*tensor, origin);
  const std::vector<float> read = f32_values(*tensor);
  std::copy(read.begin(), read.end(), values.begin() + slot.offset);
}

std::string exact_text(double value) {
  char text[32];
  return std::string(text, std::to_chars(text, text + sizeof text, value).ptr);
}

}  // namespace

void save_checkpoint(const std::filesystem::path& path, const Graph& graph, const Plan& plan, const Checkpoint& checkpoint) {
  SafetensorsFile file;
  file.metadata = {{"format", "gpufm"},
                   {"model", graph.name},
                   {"epochs_done", std::to_string(checkpoint.epochs_done)},
                   {"steps_taken", std::to_string(checkpoint.steps_taken)},
                   {"seed", std::to_string(checkpoint.seed)}};
  if (checkpoint.optimizer_iterations) file.metadata.insert({"optimizer_iterations", std::to_string(*checkpoint.optimizer_iterations)});
  if (const std::optional<LossScale>& loss_scale = checkpoint.loss_scale) {
    file.metadata.insert({{"loss_scale", exact_text(loss_scale->scale)}, {"loss_scale_good_steps", std::to_string(loss_scale->good_steps)}});
  }
  // Only a run stopped within an epoch has that epoch's progress to keep.
  if (const EpochProgress& progress = checkpoint.epoch_progress; progress.steps_done > 0) {
    file.metadata.insert({{"epoch_steps_done", std::to_string(progress.steps_done)},
                          {"epoch_loss_sum", exact_text(progress.sums.loss)},
                          {"epoch_correct_sum", exact_text(progress.sums.correct)},
                          {"epoch_samples", exact_text(progress.sums.samples)}});
    if (progress.sums.nonfinite_steps > 0) {
      file.metadata.insert({{"epoch_nonfinite_steps", exact_text(progress.sums.nonfinite_steps)},
                            {"epoch_first_nonfinite_step", exact_text(progress.sums.first_nonfinite_step)}});
    }
    if (progress.sums.overflow_steps > 0) file.metadata.insert({"epoch_overflow_steps", exact_text(progress.sums.overflow_steps)});
  }
  for (const ParamSlot& slot : plan.params) {
    const ParamSpec& spec = graph.layers[slot.layer].params[slot.param];
    file.tensors.push_back(f32_tensor(tensor_name(graph, slot), spec.shape,
                                      std::span(checkpoint.params).subspan(static_cast<std::size_t>(slot.offset), static_cast<std::size_t>(slot.elements))));
  }
  if (!checkpoint.optimizer_state.empty()) {
    const auto slots = static_cast<std::int64_t>(checkpoint.optimizer_state.size()) / plan.trainable_elements;
    file.tensors.push_back(f32_tensor(optimizer_tensor, {slots, plan.trainable_elements}, checkpoint.optimizer_state));
  }
  save_safetensors(path, file);
}

Checkpoint load_checkpoint(const std::filesystem::path& path, const Graph& graph, const Plan& plan) {
  const std::string origin = path.string();
  const SafetensorsFile file = load_safetensors(path);
  Checkpoint checkpoint;
  checkpoint.params.assign(static_cast<std::size_t>(plan.param_elements), 0.0f);
  for (const ParamSlot& slot : plan.params) read_param(file, graph, slot, origin, "the checkpoint is of another model", checkpoint.params);
  if (const NamedTensor* state = file.find(optimizer_tensor)) {
    if (state->dtype != TensorDtype::f32 || state->shape.size() != 2 || state->shape[1] != plan.trainable_elements) {
      throw InputError(origin + ": tensor \"" + std::string(optimizer_tensor) + "\" is " + shape_text(state->shape) +
                       ", the model needs [slots, " + std::to_string(plan.trainable_elements) + "]");
    }
    check_finite(*state, origin);
    checkpoint.optimizer_state = f32_values(*state);
  }
  checkpoint.epochs_done = static_cast<std::int64_t>(metadata_number<std::uint64_t>(file, "epochs_done", origin));
  checkpoint.steps_taken = static_cast<std::int64_t>(metadata_number<std::uint64_t>(file, "steps_taken", origin));
  checkpoint.seed = metadata_number<std::uint64_t>(file, "seed", origin);
  if (file.metadata.contains("optimizer_iterations")) {
    const auto iterations = static_cast<std::int64_t>(metadata_number<std::uint64_t>(file, "optimizer_iterations", origin));
    if (iterations > checkpoint.steps_taken) {
      throw InputError(origin + ": metadata optimizer_iterations is " + std::to_string(iterations) + ", more than the " +
                       std::to_string(checkpoint.steps_taken) + " steps taken");
    }
    checkpoint.optimizer_iterations = iterations;
  }
  if (file.metadata.contains("loss_scale")) {
    const auto scale = static_cast<float>(metadata_number<double>(file, "loss_scale", origin));
    if (!(scale >= 1) || !std::isfinite(scale)) throw InputError(origin + ": metadata loss_scale must be a finite number of at least 1");
    checkpoint.loss_scale = LossScale{.scale = scale,
                                      .good_steps = static_cast<std::int32_t>(metadata_number<std::uint32_t>(file, "loss_scale_good_steps", origin))};
  }
  if (file.metadata.contains("epoch_steps_done")) {
    EpochProgress& progress = checkpoint.epoch_progress;
    progress.steps_done = static_cast<std::int64_t>(metadata_number<std::uint64_t>(file, "epoch_steps_done", origin));
    progress.sums = {.loss = metadata_number<double>(file, "epoch_loss_sum", origin),
                     .correct = metadata_number<double>(file, "epoch_correct_sum", origin),
                     .samples = metadata_number<double>(file, "epoch_samples", origin)};
    if (file.metadata.contains("epoch_nonfinite_steps")) {
      progress.sums.nonfinite_steps = metadata_number<double>(file, "epoch_nonfinite_steps", origin);
      progress.sums.first_nonfinite_step = metadata_number<double>(file, "epoch_first_nonfinite_step", origin);
    }
    if (file.metadata.contains("epoch_overflow_steps")) {
      progress.sums.overflow_steps = metadata_number<double>(file, "epoch_overflow_steps", origin);
    }
  }
  return checkpoint;
}

void load_imported_blocks(const Graph& graph, const Plan& plan, std::span<float> params) {
  for (const ImportedBlock& block : graph.imported) {
    std::error_code status;
    if (!std::filesystem::exists(block.source, status)) {
      throw SourceError(block.loc, "block '" + block.name + "' takes its weights from " + block.source.string() +
                                       ": no such run directory or .safetensors file; train that run first");
    }
    const bool run = std::filesystem::is_directory(block.source);
    const std::filesystem::path path = run ? block.source / "checkpoint.safetensors" : block.source;
    const std::string origin = "block '" + block.name + "' from " + path.string();
    const SafetensorsFile file = load_safetensors(path);
    for (const ParamSlot& slot : plan.params) {
      if (graph.layers[slot.layer].block != block.name) continue;
      read_param(file, graph, slot, origin, std::string("the ") + (run ? "run" : "file") + " has no such layer in its block '" + block.name + "'", params);
    }
  }
}

}  // namespace gpufm
