#include "gpufm/program.hpp"

#include <algorithm>
#include <cstring>

#include "gpufm/activation.hpp"
#include "gpufm/augmentation.hpp"
#include "gpufm/checkpoint.hpp"
#include "gpufm/error.hpp"
#include "gpufm/init.hpp"
#include "gpufm/nvtx.hpp"
#include "gpufm/optimizer_math.hpp"
#include "ops/view_kernel.hpp"

namespace gpufm {

namespace {

// The loss folds the last activation into its gradient where the pair simplifies to p - target.
bool folds_last_activation(const Graph& graph) {
  const Layer& last = graph.layers.back();
  for (const ArgSpec& spec : last.op->signature) {
    if (spec.name != "activation") continue;
    const Activation activation = activation_of(last.attrs.choice("activation"));
    return (activation == Activation::softmax && graph.train.loss == Loss::crossentropy) ||
           (activation == Activation::sigmoid && graph.train.loss == Loss::bce);
  }
  return false;
}

// The optimizer steps applied in an epoch so far: its steps done, less those skipped.
std::int64_t applied_steps(const EpochProgress& progress) {
  return progress.steps_done - static_cast<std::int64_t>(skipped_steps(progress.sums));
}

}  // namespace

// Everything allocated at bind time.
struct Program::Bound {
  DeviceBuffer params, gradients, optimizer_state, arena, workspace, batch_labels, sums, confusion;
  DeviceBuffer loss_scale;  // fp16's LossScale; empty in the other precisions
  // A pass's StepNumbers, a row a step; the next row's index; the current step's numbers.
  DeviceBuffer step_table, step_cursor, step_numbers;
  std::vector<StepNumbers> host_table;
  // A training epoch's scalars by optimizer step (OptimizerStepArgs::scalars), as many rows.
  DeviceBuffer optimizer_table;
  std::vector<OptimizerScalars> host_optimizer_table;
  std::unique_ptr<HostMirror> sums_mirror;  // for epoch_so_far
  std::vector<std::unique_ptr<LayerKernel>> kernels;
  std::vector<std::vector<float*>> param_values, param_gradients;  // per layer, in ParamSpec order
  std::int64_t state_slots = 0;
  bool fold_activation = false;
};

Program::Program(const Graph& graph, Backend& backend, std::int64_t max_batch)
    : graph_(graph),
      backend_(backend),
      // Fused epilogues off (--unfused) runs every dropout on its own too.
      plan_(plan_memory(graph, 4, backend.fused_epilogues() ? DropoutFusion::into_previous : DropoutFusion::separate)),
      max_batch_(max_batch),
      bound_(std::make_unique<Bound>()) {
  Bound& b = *bound_;
  b.state_slots = optimizer_state_slots(graph.train.optimizer);
  b.params = backend.allocate(static_cast<std::size_t>(plan_.param_elements) * sizeof(float));
  b.gradients = backend.allocate(static_cast<std::size_t>(plan_.trainable_elements) * sizeof(float));
  b.optimizer_state = backend.allocate(static_cast<std::size_t>(b.state_slots * plan_.trainable_elements) * sizeof(float));
  b.arena = backend.allocate(static_cast<std::size_t>(plan_.training.bytes_per_sample * max_batch));
  b.batch_labels = backend.allocate(static_cast<std::size_t>(max_batch) * sizeof(std::int32_t));
  b.sums = backend.allocate(sizeof(MetricSums));
  b.sums_mirror = backend.make_host_mirror(sizeof(MetricSums));
  const std::int64_t classes = num_classes();
  b.confusion = backend.allocate(static_cast<std::size_t>(std::max<std::int64_t>(classes * classes, 1)) * sizeof(std::int64_t));
  b.fold_activation = folds_last_activation(graph);
  if (graph.train.precision == Precision::fp16) b.loss_scale = backend.allocate(sizeof(LossScale));
  b.step_cursor = backend.allocate(sizeof(std::int64_t));
  b.step_numbers = backend.allocate(sizeof(StepNumbers));

  b.param_values.resize(graph.layers.size());
  b.param_gradients.resize(graph.layers.size());
  for (std::size_t l = 0; l < graph.layers.size(); ++l) {
    b.param_values[l].assign(graph.layers[l].params.size(), nullptr);
    b.param_gradients[l].assign(graph.layers[l].params.size(), nullptr);
  }
  for (const ParamSlot& slot : plan_.params) {
    b.param_values[slot.layer][slot.param] = b.params.as<float>() + slot.offset;
    if (graph.layers[slot.layer].params[slot.param].trainable) b.param_gradients[slot.layer][slot.param] = b.gradients.as<float>() + slot.offset;
  }
  std::size_t workspace = 0;
  for (std::size_t l = 0; l < graph.layers.size(); ++l) {
    // A dropout that the layer before applies has nothing left to do.
    b.kernels.push_back(plan_.dropout_in_previous[l] ? make_view_kernel(graph.layers[l])
                                                     : backend.make_layer_kernel(graph.layers[l], graph.train.precision));
    workspace = std::max(workspace, b.kernels.back()->workspace_bytes(max_batch));
  }
  b.workspace = backend.allocate(workspace);
  for (std::size_t l = 0; l < graph.layers.size(); ++l) {
    forward_labels_.push_back(phase_label(graph, {PhaseKind::forward, l}));
    backward_labels_.push_back(phase_label(graph, {PhaseKind::backward, l}));
  }
}

const char* Program::label(StepPhase phase) const {
  if (phase.kind == PhaseKind::forward) return forward_labels_[phase.layer].c_str();
  if (phase.kind == PhaseKind::backward) return backward_labels_[phase.layer].c_str();
  return name(phase.kind);
}

Program::~Program() = default;

std::int64_t Program::num_classes() const {
  return graph_.train.target == Target::labels ? graph_.output().elements() : 0;
}

DeviceImages Program::upload(const ImageSplit& split) {
  DeviceImages images;
  images.count = static_cast<std::int64_t>(split.count);
  images.rows = static_cast<std::int64_t>(split.rows);
  images.cols = static_cast<std::int64_t>(split.cols);
  if (images.rows * images.cols != graph_.input.elements()) {
    throw InputError(split.images_path.string() + ": images of " + std::to_string(split.rows) + "x" + std::to_string(split.cols) +
                     " pixels do not fit the model's input " + graph_.input.str());
  }
  // A shift as long as the image leaves nothing of it (and a longer one could overflow the draw).
  if (const std::int64_t shift = graph_.train.augment.shift; shift >= std::max(images.rows, images.cols)) {
    throw InputError(split.images_path.string() + ": augment shift=" + std::to_string(shift) + " would move images of " +
                     std::to_string(split.rows) + "x" + std::to_string(split.cols) + " pixels out of sight; shift them by less than " +
                     std::to_string(std::max(images.rows, images.cols)));
  }
  images.images = backend_.allocate(split.pixels.size());
  images.labels = backend_.allocate(split.labels.size());
  backend_.copy_to_device(images.images.as(), split.pixels.data(), split.pixels.size());
  backend_.copy_to_device(images.labels.as(), split.labels.data(), split.labels.size());
  return images;
}

DeviceIds Program::upload_ids(std::span<const std::int32_t> ids) {
  DeviceIds device{backend_.allocate(ids.size_bytes()), static_cast<std::int64_t>(ids.size())};
  backend_.copy_to_device(device.ids.as(), ids.data(), ids.size_bytes());
  // The step table of a pass over them is made now, so that no pass allocates.
  const std::int64_t smallest_batch = std::min(graph_.train.batch, max_batch_);
  reserve_step_rows((device.count + smallest_batch - 1) / smallest_batch);
  return device;
}

void Program::initialize(std::uint64_t seed) {
  // Captured steps hold the seed.
  step_graphs_.clear();
  steps_seen_.clear();
  seed_ = seed;
  steps_taken_ = 0;
  epoch_progress_ = {};
  fine_tuning_ = false;
  std::vector<float> values(static_cast<std::size_t>(plan_.param_elements));
  initialize_params(graph_, plan_, values, seed);
  write_params(values);
  restart_optimizer();
  if (bound_->loss_scale.as() != nullptr) set_loss_scale(LossScale{.scale = static_cast<float>(graph_.train.loss_scale.initial)});
}

std::optional<LossScale> Program::loss_scale() {
  if (bound_->loss_scale.as() == nullptr) return std::nullopt;
  LossScale state;
  backend_.copy_to_host(&state, bound_->loss_scale.as(), sizeof state);
  return state;
}

void Program::set_loss_scale(const LossScale& state) {
  if (bound_->loss_scale.as() == nullptr) throw std::logic_error("set_loss_scale: the model does not train in fp16");
  backend_.copy_to_device(bound_->loss_scale.as(), &state, sizeof state);
}

void Program::import_blocks() {
  if (graph_.imported.empty()) return;
  std::vector<float> values = read_params();
  load_imported_blocks(graph_, plan_, values);
  write_params(values);
}

void Program::restart_optimizer() {
  backend_.zero(bound_->optimizer_state.as(), bound_->optimizer_state.bytes());
  optimizer_iterations_ = 0;
}

void Program::start_fine_tuning() { fine_tuning_ = true; }

std::int64_t Program::optimizer_iterations() const { return optimizer_iterations_ + applied_steps(epoch_progress_); }

void Program::resume_at(std::int64_t steps_taken, const EpochProgress& progress, std::int64_t optimizer_iterations) {
  steps_taken_ = steps_taken;
  epoch_progress_ = progress;
  optimizer_iterations_ = optimizer_iterations - applied_steps(progress);
}

float* Program::activation(std::size_t buffer) const {
  return reinterpret_cast<float*>(bound_->arena.as<std::byte>() + plan_.training.buffers[buffer].offset_per_sample * max_batch_);
}

void Program::reserve_step_rows(std::int64_t rows) {
  Bound& b = *bound_;
  const auto bytes = static_cast<std::size_t>(rows) * sizeof(StepNumbers);
  if (b.step_table.as() != nullptr && b.step_table.bytes() >= bytes) return;
  // Captured steps read the tables where they were: they go with them.
  step_graphs_.clear();
  b.step_table = backend_.allocate(bytes);
  b.optimizer_table = backend_.allocate(static_cast<std::size_t>(rows) * sizeof(OptimizerScalars));
}

void Program::start_pass(std::int64_t first_row) {
  Bound& b = *bound_;
  reserve_step_rows(static_cast<std::int64_t>(b.host_table.size()));
  backend_.copy_to_device(b.step_table.as(), b.host_table.data(), b.host_table.size() * sizeof(StepNumbers));
  backend_.copy_to_device(b.step_cursor.as(), &first_row, sizeof first_row);
}

Program::StepGraphKey Program::BatchCall::key(bool fine_tuning) const {
  return {.images = images, .labels = labels, .ids = ids, .rows = rows, .cols = cols, .batch = batch, .training = training,
          .fine_tuning = fine_tuning, .sums = sums, .confusion = confusion};
}

void Program::run_step(const BatchCall& call) {
  StepObserver* const observer = call.training ? observer_ : nullptr;
  // A profiled step times its phases one by one, and a partial forward pass is for predict alone:
  // neither is captured, and either may be its kind's first run (replay_step says why exclusively).
  if ((observer != nullptr && observer->observes_phases()) || call.forward_through) {
    backend_.run_exclusively([this, &call, observer] { record_step(call, observer); });
    return;
  }
  if (observer != nullptr) observer->step_begin(steps_taken_ + 1);
  replay_step(call);
  if (observer != nullptr) observer->step_end();
}

void Program::replay_step(const BatchCall& call) {
  const StepGraphKey key = call.key(fine_tuning_);
  if (const auto found = step_graphs_.find(key); found != step_graphs_.end()) {
    found->second->replay();
    return;
  }
  // A call's first time runs as it is, which also warms the libraries up (their lazy set-up must
  // not happen in a capture, this one's or another thread's); its second is captured.
  if (steps_seen_.insert(key).second) {
    backend_.run_exclusively([this, &call] { record_step(call, nullptr); });
    return;
  }
  if (!capture_failure_) {
    try {
      if (std::unique_ptr<StepGraph> captured = backend_.capture([this, call] { record_step(call, nullptr); })) {
        captured->replay();
        step_graphs_.emplace(key, std::move(captured));
        return;
      }
    } catch (const DeviceError& error) {
      // A capture runs nothing, and a replay that fails to launch queues nothing, so the step
      // runs call by call below, as will every later one of the kinds not captured yet: slower,
      // the same results. Why is kept for the record (capture_failure()).
      capture_failure_ = error.what();
    }
  }
  record_step(call, nullptr);
}

std::optional<std::int64_t> Program::training_step_kernels() const {
  for (const auto& [key, captured] : step_graphs_) {
    if (key.training && key.batch == graph_.train.batch && key.fine_tuning == fine_tuning_) return captured->kernel_count();
  }
  return std::nullopt;
}

void Program::record_step(const BatchCall& call, StepObserver* observer) {
  const auto run_phase = [&](StepPhase phase, const auto& work) {
    const nvtx::Range range(label(phase));
    work();
    if (observer != nullptr) observer->phase_end(phase);
  };
  if (observer != nullptr) observer->step_begin(steps_taken_ + 1);
  Bound& b = *bound_;
  const ArenaPlan& arena = plan_.training;
  const std::int64_t batch = call.batch;
  const bool training = call.training;
  float* input = activation(arena.input_buffer);
  const StepNumbers* numbers = b.step_numbers.as<StepNumbers>();
  // bf16 and fp16 round each activation and activation gradient where it is stored.
  const Precision precision = graph_.train.precision;
  // A gradient buffer is absent (nullptr) where nothing before needs it: a model with nothing to train.
  const auto store = [&](float* values, std::int64_t elements) {
    if (rounds_activations(precision) && values != nullptr) backend_.round_activations(values, batch * elements, precision);
  };
  LossScale* const loss_scale = training ? b.loss_scale.as<LossScale>() : nullptr;
  auto* labels = b.batch_labels.as<std::int32_t>();
  backend_.select_step(StepSelectArgs{.table = b.step_table.as<StepNumbers>(), .cursor = b.step_cursor.as<std::int64_t>(),
                                      .current = b.step_numbers.as<StepNumbers>()});
  run_phase({PhaseKind::gather, 0}, [&] {
    backend_.gather_batch(GatherArgs{.images = call.images, .labels = call.labels, .indices = call.ids, .numbers = numbers, .batch = batch,
                                     .rows = call.rows, .cols = call.cols, .input = input, .batch_labels = labels,
                                     .augmentation = training ? training_augmentation(graph_.train.augment, seed_) : Augmentation{}});
    store(input, graph_.input.elements());
  });
  StepContext context{.training = training, .seed = seed_, .numbers = numbers, .layer_index = 0,
                      .workspace = std::span<std::byte>(b.workspace.as<std::byte>(), b.workspace.bytes())};
  const auto layer_input = [&](std::size_t l) { return l == 0 ? input : activation(arena.output_buffer[l - 1]); };
  const auto gradient = [&](long buffer) { return buffer < 0 ? nullptr : activation(static_cast<std::size_t>(buffer)); };
  const std::size_t last = graph_.layers.size() - 1;
  // The mask of the dropout after layer l, when l applies it.
  const auto dropout_after = [&](std::size_t l) {
    if (l == last || !plan_.dropout_in_previous[l + 1]) return DropoutMask{};
    return dropout_mask(context, static_cast<std::uint32_t>(l + 1), static_cast<float>(graph_.layers[l + 1].attrs.real("rate")));
  };

  for (const Step& step : fine_tuning_ ? plan_.schedule : plan_.frozen_schedule) {
    const std::size_t l = step.layer;
    context.layer_index = static_cast<std::uint32_t>(l);
    // Batch-norm in a frozen block keeps its moving statistics when fine-tuning too, as the Keras
    // guide's base_model(x, training=False): the layers after it were trained on them.
    context.frozen = graph_.layers[l].frozen;
    if (step.kind == Step::Kind::forward) {
      run_phase({PhaseKind::forward, l}, [&] {
        float* const output = activation(arena.output_buffer[l]);
        b.kernels[l]->forward(ForwardArgs{.input = layer_input(l), .output = output, .batch = batch, .params = b.param_values[l],
                                          .context = &context, .dropout = dropout_after(l)});
        if (!plan_.output_aliases_input(graph_, l)) store(output, graph_.layers[l].output.elements());  // else stored already
      });
      if (call.forward_through == l) return;
    } else if (step.kind == Step::Kind::loss) {
      run_phase({PhaseKind::loss, 0}, [&] {
        backend_.loss(LossArgs{.loss = graph_.train.loss, .target = graph_.train.target, .output = activation(arena.output_buffer[last]),
                               .batch = batch, .elements = graph_.output().elements(), .labels = labels, .target_input = input,
                               .output_gradient = training ? gradient(arena.output_gradient_buffer[last]) : nullptr,
                               .fold_activation = b.fold_activation, .sums = call.sums, .confusion = call.confusion,
                               .numbers = numbers, .loss_scale = loss_scale});
        if (training) store(gradient(arena.output_gradient_buffer[last]), graph_.output().elements());
      });
      if (!training) return;
    } else {
      run_phase({PhaseKind::backward, l}, [&] {
        b.kernels[l]->backward(BackwardArgs{.input = layer_input(l), .output = activation(arena.output_buffer[l]),
                                            .output_gradient = gradient(arena.output_gradient_buffer[l]),
                                            .input_gradient = step.input_gradient ? gradient(arena.output_gradient_buffer[l - 1]) : nullptr,
                                            .batch = batch, .params = b.param_values[l], .param_gradients = b.param_gradients[l],
                                            .activation_folded_into_loss = l == last && b.fold_activation, .context = &context,
                                            .dropout = dropout_after(l)});
        // A layer whose output is its input passes on its output's gradient, stored already.
        if (step.input_gradient && !plan_.output_aliases_input(graph_, l)) {
          store(gradient(arena.output_gradient_buffer[l - 1]), graph_.layers[l - 1].output.elements());
        }
      });
    }
  }
  run_phase({PhaseKind::optimizer, 0}, [&] {
    const std::int64_t first = fine_tuning_ ? 0 : plan_.frozen_elements;
    if (loss_scale != nullptr) {
      backend_.find_overflow(OverflowCheckArgs{.gradients = b.gradients.as<float>(), .first = first, .count = plan_.trainable_elements,
                                               .loss_scale = loss_scale});
    }
    backend_.optimizer_step(OptimizerStepArgs{.numbers = numbers, .scalars = b.optimizer_table.as<OptimizerScalars>(),
                                              .params = b.params.as<float>(), .gradients = b.gradients.as<float>(),
                                              .state = b.optimizer_state.as<float>(), .count = plan_.trainable_elements,
                                              .first = first, .sums = call.sums, .loss_scale = loss_scale,
                                              .growth_steps = graph_.train.loss_scale.growth_steps});
  });
  if (observer != nullptr) observer->step_end();
}

PassMetrics Program::read_metrics(bool confusion) {
  Bound& b = *bound_;
  MetricSums sums;
  backend_.copy_to_host(&sums, b.sums.as(), sizeof sums);
  PassMetrics metrics = metrics_of(sums);
  if (confusion) {
    metrics.confusion.resize(static_cast<std::size_t>(num_classes() * num_classes()));
    backend_.copy_to_host(metrics.confusion.data(), b.confusion.as(), metrics.confusion.size() * sizeof(std::int64_t));
  }
  return metrics;
}

std::optional<PassMetrics> Program::epoch_so_far() {
  Bound& b = *bound_;
  if (b.sums_mirror->request(b.sums.as())) ++mirror_requests_;
  const HostMirror::Copy copy = b.sums_mirror->latest();
  if (copy.bytes == nullptr || copy.request < epoch_first_request_) return std::nullopt;
  MetricSums sums;
  std::memcpy(&sums, copy.bytes, sizeof sums);
  return metrics_of(sums);
}

PassMetrics Program::metrics_of(const MetricSums& sums) const {
  PassMetrics metrics;
  metrics.samples = static_cast<std::int64_t>(sums.samples);
  metrics.loss = sums.samples > 0 ? sums.loss / sums.samples : 0;
  metrics.accuracy = sums.samples > 0 && num_classes() > 0 ? sums.correct / sums.samples : 0;
  metrics.nonfinite_steps = static_cast<std::int64_t>(sums.nonfinite_steps);
  metrics.first_nonfinite_step = static_cast<std::int64_t>(sums.first_nonfinite_step);
  metrics.overflow_steps = static_cast<std::int64_t>(sums.overflow_steps);
  return metrics;
}

std::int64_t Program::steps_per_epoch(const DeviceIds& ids) const {
  const std::int64_t batch = graph_.train.batch;
  return (ids.count + batch - 1) / batch;
}

Program::BatchCall Program::batch_call(const DeviceImages& data, const DeviceIds& ids) {
  return BatchCall{.images = data.images.as<std::uint8_t>(), .labels = data.labels.as<std::uint8_t>(), .rows = data.rows, .cols = data.cols,
                   .ids = ids.ids.as<std::int32_t>(), .sums = bound_->sums.as<MetricSums>()};
}

std::optional<PassMetrics> Program::train_epoch(const DeviceImages& data, DeviceIds& ids, std::int64_t epoch, double lr,
                                                const std::function<void(std::int64_t, std::int64_t, const EpochSoFar&)>& on_step,
                                                const std::function<bool()>& stop_requested) {
  Bound& b = *bound_;
  backend_.copy_to_device(b.sums.as(), &epoch_progress_.sums, sizeof(MetricSums));
  backend_.shuffle(ids.ids.as<std::int32_t>(), ids.count, seed_, static_cast<std::uint64_t>(epoch));
  const std::int64_t batch = graph_.train.batch, steps = steps_per_epoch(ids);
  std::int64_t& done = epoch_progress_.steps_done;  // counting in epoch_progress_ leaves it where a stop comes
  b.host_table.assign(static_cast<std::size_t>(steps), StepNumbers{});
  for (std::int64_t s = done; s < steps; ++s) {
    b.host_table[s] = StepNumbers{.epoch_step = s + 1, .run_step = static_cast<std::uint64_t>(steps_taken_ + s - done), .first_id = s * batch};
  }
  b.host_optimizer_table = optimizer_scalars_from(graph_.train.optimizer, lr, optimizer_iterations_ + 1, steps);
  epoch_first_request_ = mirror_requests_ + 1;
  start_pass(done);
  backend_.copy_to_device(b.optimizer_table.as(), b.host_optimizer_table.data(), b.host_optimizer_table.size() * sizeof(OptimizerScalars));
  BatchCall call = batch_call(data, ids);
  call.training = true;
  const EpochSoFar so_far = [this] { return epoch_so_far(); };
  for (; done < steps; ++done) {
    if (stop_requested && stop_requested()) {
      backend_.copy_to_host(&epoch_progress_.sums, b.sums.as(), sizeof(MetricSums));
      return std::nullopt;
    }
    call.batch = std::min(batch, ids.count - done * batch);
    const nvtx::Range range("step", steps_taken_ + 1);
    run_step(call);
    ++steps_taken_;
    if (on_step) on_step(done + 1, steps, so_far);
  }
  // The whole epoch's progress, for its steps applied; then none, for the next.
  backend_.copy_to_host(&epoch_progress_.sums, b.sums.as(), sizeof(MetricSums));
  optimizer_iterations_ += applied_steps(epoch_progress_);
  const PassMetrics metrics = metrics_of(epoch_progress_.sums);
  epoch_progress_ = {};
  return metrics;
}

void Program::start_measured_pass(std::int64_t count) {
  Bound& b = *bound_;
  b.host_table.assign(static_cast<std::size_t>((count + max_batch_ - 1) / max_batch_), StepNumbers{});
  for (std::size_t k = 0; k < b.host_table.size(); ++k) b.host_table[k].first_id = static_cast<std::int64_t>(k) * max_batch_;
  start_pass(0);
}

PassMetrics Program::evaluate(const DeviceImages& data, const DeviceIds& ids, bool confusion) {
  const nvtx::Range range("evaluate");
  Bound& b = *bound_;
  backend_.zero(b.sums.as(), b.sums.bytes());
  if (confusion) backend_.zero(b.confusion.as(), b.confusion.bytes());
  start_measured_pass(ids.count);
  BatchCall call = batch_call(data, ids);
  call.confusion = confusion ? b.confusion.as<std::int64_t>() : nullptr;
  for (std::int64_t start = 0; start < ids.count; start += max_batch_) {
    call.batch = std::min(max_batch_, ids.count - start);
    run_step(call);
  }
  return read_metrics(confusion);
}

std::vector<float> Program::predict(const DeviceImages& data, std::span<const std::int32_t> ids, std::size_t layer) {
  const nvtx::Range range("predict");
  const DeviceIds device_ids = upload_ids(ids);
  const std::int64_t elements = graph_.layers.at(layer).output.elements();
  std::vector<float> outputs(ids.size() * static_cast<std::size_t>(elements));
  const float* output = activation(plan_.training.output_buffer[layer]);
  start_measured_pass(device_ids.count);
  BatchCall call = batch_call(data, device_ids);
  call.sums = nullptr;
  call.forward_through = layer;
  for (std::int64_t start = 0; start < device_ids.count; start += max_batch_) {
    call.batch = std::min(max_batch_, device_ids.count - start);
    run_step(call);
    backend_.copy_to_host(outputs.data() + start * elements, output, static_cast<std::size_t>(call.batch * elements) * sizeof(float));
  }
  return outputs;
}

std::vector<float> Program::read_params() {
  std::vector<float> values(static_cast<std::size_t>(plan_.param_elements));
  backend_.copy_to_host(values.data(), bound_->params.as(), values.size() * sizeof(float));
  return values;
}

namespace {

void expect_size(std::span<const float> values, std::size_t bytes, const char* what) {
  if (values.size_bytes() != bytes) {
    throw std::logic_error(std::string(what) + ": " + std::to_string(values.size_bytes()) + " bytes given for " + std::to_string(bytes));
  }
}

}  // namespace

void Program::write_params(std::span<const float> values) {
  expect_size(values, bound_->params.bytes(), "write_params");
  backend_.copy_to_device(bound_->params.as(), values.data(), values.size_bytes());
}

std::size_t Program::optimizer_state_elements() const { return bound_->optimizer_state.bytes() / sizeof(float); }

std::vector<float> Program::read_optimizer_state() {
  std::vector<float> values(optimizer_state_elements());
  backend_.copy_to_host(values.data(), bound_->optimizer_state.as(), values.size() * sizeof(float));
  return values;
}

void Program::write_optimizer_state(std::span<const float> values) {
  expect_size(values, bound_->optimizer_state.bytes(), "write_optimizer_state");
  backend_.copy_to_device(bound_->optimizer_state.as(), values.data(), values.size_bytes());
}

}  // namespace gpufm
