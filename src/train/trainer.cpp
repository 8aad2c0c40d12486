#include "gpufm/trainer.hpp"

#include <chrono>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "gpufm/nvtx.hpp"

namespace gpufm {

namespace {

std::vector<std::int32_t> id_range(std::int64_t begin, std::int64_t end) {
  std::vector<std::int32_t> ids(static_cast<std::size_t>(end - begin));
  std::iota(ids.begin(), ids.end(), static_cast<std::int32_t>(begin));
  return ids;
}

// The batch, when the training set can fill it: checked before the program's memory, sized by
// the batch, is planned (a typo of a batch could ask for terabytes).
std::int64_t batch_within(std::int64_t batch, std::size_t training_images) {
  if (batch > static_cast<std::int64_t>(training_images)) {
    throw InputError("batch " + std::to_string(batch) + " is larger than the " + std::to_string(training_images) +
                     " training images; use a batch of at most that");
  }
  return batch;
}

}  // namespace

SplitIds split_for_validation(std::int64_t count, double fraction) {
  const auto split = static_cast<std::int64_t>(std::floor(static_cast<double>(count) * (1.0 - fraction)));
  return SplitIds{id_range(0, split), id_range(split, count)};
}

Trainer::Trainer(const Graph& graph, const Dataset& data, Backend& backend, std::optional<SplitIds> given_split)
    : graph_(graph),
      data_(data),
      program_(graph, backend, batch_within(graph.train.batch, data.train.count)),
      schedule_(graph.train),
      early_stopping_(graph.train) {
  const TrainSettings& train = graph.train;
  const auto count = static_cast<std::int64_t>(data.train.count);
  validation_is_test_ = train.validate_on_test && !given_split;
  const SplitIds split = given_split ? std::move(*given_split) : split_for_validation(count, train.validation);
  for (const std::vector<std::int32_t>* part : {&split.train, &split.validation}) {
    for (const std::int32_t id : *part) {
      if (id < 0 || id >= count) {
        throw InputError("the split names image " + std::to_string(id) + " of a training set of " + std::to_string(count) +
                         " images; split this training set");
      }
    }
  }
  if (split.train.empty() || (train.validation > 0 && split.validation.empty())) {
    throw InputError("validation " + std::to_string(train.validation) + " of " + std::to_string(count) +
                     " training images leaves one part empty; choose a fraction that keeps images on both sides");
  }
  batch_within(train.batch, split.train.size());  // the part trained on, this time
  if (program_.num_classes() > 0) {
    check_labels(data.train, static_cast<int>(program_.num_classes()));
    check_labels(data.test, static_cast<int>(program_.num_classes()));
  }
  train_images_ = program_.upload(data.train);
  test_images_ = program_.upload(data.test);
  train_ids_ = program_.upload_ids(split.train);
  train_id_list_ = split.train;
  test_ids_ = program_.upload_ids(id_range(0, static_cast<std::int64_t>(data.test.count)));
  if (!validation_is_test_) {
    validation_ids_ = program_.upload_ids(split.validation);
    validation_id_list_ = split.validation;
  }
}

void Trainer::start(std::uint64_t seed) {
  reset(seed);
  program_.import_blocks();
}

void Trainer::reset(std::uint64_t seed) {
  program_.initialize(seed);
  epochs_done_ = 0;
  schedule_ = LearningRateSchedule(graph_.train);
  early_stopping_ = EarlyStopping(graph_.train);
  best_params_.clear();
}

void Trainer::resume(const Checkpoint& checkpoint, std::span<const EpochRecord> history, std::vector<float> best_params) {
  const std::size_t state = program_.optimizer_state_elements();
  if (checkpoint.optimizer_state.size() != state) {
    throw InputError("the checkpoint holds " + std::to_string(checkpoint.optimizer_state.size()) + " values of optimizer state, but " +
                     std::string(name(graph_.train.optimizer.kind)) + " here needs " + std::to_string(state) +
                     "; resume with the optimizer the run was trained with");
  }
  if (static_cast<std::int64_t>(history.size()) != checkpoint.epochs_done) {
    throw InputError("the checkpoint is at the end of epoch " + std::to_string(checkpoint.epochs_done) + ", but the history records " +
                     std::to_string(history.size()) + " epochs; resuming replays the record of every epoch done");
  }
  if (checkpoint.epoch_progress.steps_done >= steps_per_epoch()) {
    throw InputError("the checkpoint is " + std::to_string(checkpoint.epoch_progress.steps_done) + " steps into epoch " +
                     std::to_string(checkpoint.epochs_done + 1) + ", which has " + std::to_string(steps_per_epoch()) +
                     " steps here; resume with the batch and data the run was trained with");
  }
  if (restores_best() && best_params.size() != static_cast<std::size_t>(program_.plan().param_elements)) {
    throw std::invalid_argument("early stopping restores the best epoch's parameters: resume needs them");
  }
  reset(checkpoint.seed);
  program_.write_params(checkpoint.params);
  program_.write_optimizer_state(checkpoint.optimizer_state);
  // A checkpoint of another precision's run (or none) leaves fp16's scale at its start.
  if (checkpoint.loss_scale && graph_.train.precision == Precision::fp16) program_.set_loss_scale(*checkpoint.loss_scale);
  epochs_done_ = checkpoint.epochs_done;
  // Within the fine-tuning phase, its optimizer's state is the checkpoint's; at its start, fit()
  // starts it afresh.
  const bool fine_tuning_begun = graph_.train.fine_tunes_at(epochs_done_) ||
                                 (graph_.train.fine_tunes_at(epochs_done_ + 1) && checkpoint.epoch_progress.steps_done > 0);
  if (fine_tuning_begun) program_.start_fine_tuning();
  // A checkpoint from before gpufm counted the optimizer's steps apart counted every step taken.
  const std::int64_t optimizer_iterations = checkpoint.optimizer_iterations.value_or(
      checkpoint.steps_taken - (fine_tuning_begun ? graph_.train.epochs * steps_per_epoch() : 0));
  program_.resume_at(checkpoint.steps_taken, checkpoint.epoch_progress, optimizer_iterations);
  for (const EpochRecord& record : history) end_epoch(record);
  best_params_ = std::move(best_params);
}

Checkpoint Trainer::checkpoint() {
  return Checkpoint{.params = program_.read_params(),
                    .optimizer_state = program_.read_optimizer_state(),
                    .epochs_done = epochs_done_,
                    .steps_taken = program_.steps_taken(),
                    .seed = program_.seed(),
                    .epoch_progress = program_.epoch_progress(),
                    .loss_scale = program_.loss_scale(),
                    .optimizer_iterations = program_.optimizer_iterations()};
}

bool Trainer::restores_best() const { return graph_.train.early_stopping && graph_.train.early_stopping->restore_best; }

void Trainer::end_epoch(const EpochRecord& record) {
  schedule_.epoch_end(record);
  early_stopping_.epoch_end(record);
}

void Trainer::fit(const TrainingEvents& events) {
  const std::int64_t epochs = graph_.train.total_epochs();
  interrupted_ = false;
  for (std::int64_t epoch = epochs_done_ + 1; epoch <= epochs && !early_stopping_.stopped(); ++epoch) {
    const bool fine_tunes = graph_.train.fine_tunes_at(epoch);
    if (fine_tunes && !program_.fine_tuning()) {
      program_.start_fine_tuning();
      program_.restart_optimizer();
    }
    if (events.epoch_begin) events.epoch_begin(epoch, epochs);
    const nvtx::Range range("epoch", epoch);
    const auto started = std::chrono::steady_clock::now();
    const double lr = fine_tunes ? graph_.train.fine_tune->lr : schedule_.lr();
    const std::optional<PassMetrics> trained =
        program_.train_epoch(train_images_, train_ids_, epoch, lr, events.step_end, events.stop_requested);
    if (!trained) {
      interrupted_ = true;
      return;
    }
    if (trained->nonfinite_steps > 0 &&
        (graph_.train.on_nan == NanPolicy::stop || trained->nonfinite_steps == steps_per_epoch())) {
      const std::string where = graph_.train.on_nan == NanPolicy::stop
                                    ? "at epoch " + std::to_string(epoch) + ", step " + std::to_string(trained->first_nonfinite_step) +
                                          "/" + std::to_string(steps_per_epoch())
                                    : "at every step of epoch " + std::to_string(epoch);
      throw Diverged("training diverged: the loss was not finite (NaN or infinite) " + where);
    }
    const bool classifier = program_.num_classes() > 0;
    EpochRecord record;
    record.epoch = epoch;
    record.loss = trained->loss;
    record.lr = lr;
    record.samples = trained->samples;
    record.skipped_steps = trained->nonfinite_steps;
    record.overflow_steps = trained->overflow_steps;
    if (const std::optional<LossScale> loss_scale = program_.loss_scale()) record.loss_scale = loss_scale->scale;
    if (classifier) record.accuracy = trained->accuracy;
    if (has_validation()) {
      const PassMetrics validated = validation_is_test_ ? program_.evaluate(test_images_, test_ids_)
                                                        : program_.evaluate(train_images_, validation_ids_);
      record.val_loss = validated.loss;
      if (classifier) record.val_accuracy = validated.accuracy;
    }
    record.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    epochs_done_ = epoch;
    end_epoch(record);
    record.stopped_early = early_stopping_.stopped();
    if (restores_best() && best_epoch() == epoch) best_params_ = program_.read_params();
    if (events.epoch_end) events.epoch_end(record);
  }
  if (restores_best() && best_epoch() > 0) program_.write_params(best_params_);
}

std::vector<float> Trainer::layer_outputs(std::size_t layer, bool test, std::span<const std::int32_t> ids) {
  return program_.predict(test ? test_images_ : train_images_, ids, layer);
}

PassMetrics Trainer::evaluate_test(bool confusion) { return program_.evaluate(test_images_, test_ids_, confusion); }

Trainer::Predictions Trainer::predict(bool validation, std::int64_t count) {
  Predictions predictions;
  const bool from_training_set = validation && !validation_is_test_;
  const std::int64_t taken = std::min(count, split_samples(validation));
  if (from_training_set) {
    predictions.ids.assign(validation_id_list_.begin(), validation_id_list_.begin() + taken);
  } else {
    predictions.ids = id_range(0, taken);
  }
  predictions.outputs = program_.predict(from_training_set ? train_images_ : test_images_, predictions.ids, graph_.layers.size() - 1);
  return predictions;
}

}  // namespace gpufm
