#include "gpufm/trainer.hpp"

#include <chrono>
#include <cmath>
#include <numeric>

namespace gpufm {

namespace {

std::vector<std::int32_t> id_range(std::int64_t begin, std::int64_t end) {
  std::vector<std::int32_t> ids(static_cast<std::size_t>(end - begin));
  std::iota(ids.begin(), ids.end(), static_cast<std::int32_t>(begin));
  return ids;
}

}  // namespace

SplitIds split_for_validation(std::int64_t count, double fraction) {
  const auto split = static_cast<std::int64_t>(std::floor(static_cast<double>(count) * (1.0 - fraction)));
  return SplitIds{id_range(0, split), id_range(split, count)};
}

Trainer::Trainer(const Graph& graph, const Dataset& data, Backend& backend)
    : graph_(graph), data_(data), program_(graph, backend, graph.train.batch) {
  const TrainSettings& train = graph.train;
  const auto count = static_cast<std::int64_t>(data.train.count);
  const SplitIds split = split_for_validation(count, train.validation);
  if (split.train.empty() || (train.validation > 0 && split.validation.empty())) {
    throw InputError("validation " + std::to_string(train.validation) + " of " + std::to_string(count) +
                     " training images leaves one part empty; choose a fraction that keeps images on both sides");
  }
  if (train.batch > static_cast<std::int64_t>(split.train.size())) {
    throw InputError("batch " + std::to_string(train.batch) + " is larger than the " + std::to_string(split.train.size()) +
                     " training images; use a batch of at most that");
  }
  if (program_.num_classes() > 0) {
    check_labels(data.train, static_cast<int>(program_.num_classes()));
    check_labels(data.test, static_cast<int>(program_.num_classes()));
  }
  train_images_ = program_.upload(data.train);
  test_images_ = program_.upload(data.test);
  train_ids_ = program_.upload_ids(split.train);
  test_ids_ = program_.upload_ids(id_range(0, static_cast<std::int64_t>(data.test.count)));
  validation_is_test_ = train.validate_on_test;
  if (!validation_is_test_) validation_ids_ = program_.upload_ids(split.validation);
}

void Trainer::start(std::uint64_t seed) {
  program_.initialize(seed);
  epochs_done_ = 0;
}

void Trainer::resume(const Checkpoint& checkpoint) {
  const std::size_t state = program_.optimizer_state_elements();
  if (checkpoint.optimizer_state.size() != state) {
    throw InputError("the checkpoint holds " + std::to_string(checkpoint.optimizer_state.size()) + " values of optimizer state, but " +
                     std::string(name(graph_.train.optimizer.kind)) + " here needs " + std::to_string(state) +
                     "; resume with the optimizer the run was trained with");
  }
  program_.initialize(checkpoint.seed);
  program_.write_params(checkpoint.params);
  program_.write_optimizer_state(checkpoint.optimizer_state);
  program_.set_steps_taken(checkpoint.steps_taken);
  epochs_done_ = checkpoint.epochs_done;
}

Checkpoint Trainer::checkpoint() {
  return Checkpoint{program_.read_params(), program_.read_optimizer_state(), epochs_done_, program_.steps_taken(), program_.seed()};
}

void Trainer::fit(const TrainingEvents& events) {
  const std::int64_t epochs = graph_.train.epochs;
  const double lr = graph_.train.optimizer.lr;
  for (std::int64_t epoch = epochs_done_ + 1; epoch <= epochs; ++epoch) {
    if (events.epoch_begin) events.epoch_begin(epoch, epochs);
    const auto started = std::chrono::steady_clock::now();
    const PassMetrics trained = program_.train_epoch(train_images_, train_ids_, epoch, lr, events.step_end);
    const bool classifier = program_.num_classes() > 0;
    EpochRecord record;
    record.epoch = epoch;
    record.loss = trained.loss;
    record.lr = lr;
    record.samples = trained.samples;
    if (classifier) record.accuracy = trained.accuracy;
    if (has_validation()) {
      const PassMetrics validated = validation_is_test_ ? program_.evaluate(test_images_, test_ids_)
                                                        : program_.evaluate(train_images_, validation_ids_);
      record.val_loss = validated.loss;
      if (classifier) record.val_accuracy = validated.accuracy;
    }
    record.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    epochs_done_ = epoch;
    if (events.epoch_end) events.epoch_end(record);
  }
}

PassMetrics Trainer::evaluate_test(bool confusion) { return program_.evaluate(test_images_, test_ids_, confusion); }

}  // namespace gpufm
