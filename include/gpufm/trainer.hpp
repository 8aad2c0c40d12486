// The training loop, read top to bottom: the data split into training and validation ids,
// epochs of shuffled batches, validation after each, and the state a checkpoint needs. It talks
// to a Program, never to a backend directly, and reports through callbacks: it never prints.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "gpufm/checkpoint.hpp"
#include "gpufm/program.hpp"

namespace gpufm {

struct EpochRecord {
  std::int64_t epoch = 0;  // 1-based
  double loss = 0;
  std::optional<double> accuracy;  // classifiers only
  std::optional<double> val_loss, val_accuracy;
  double lr = 0;
  double seconds = 0;  // training and validation
  std::int64_t samples = 0;  // trained on
};

struct TrainingEvents {
  std::function<void(std::int64_t epoch, std::int64_t epochs)> epoch_begin;
  std::function<void(std::int64_t step, std::int64_t steps)> step_end;
  // After the epoch's record is complete; the trainer's state is that epoch's end.
  std::function<void(const EpochRecord&)> epoch_end;
};

// Keras' validation_split: the last fraction of the training set, before any shuffling.
struct SplitIds {
  std::vector<std::int32_t> train, validation;
};
SplitIds split_for_validation(std::int64_t count, double fraction);

class Trainer {
 public:
  Trainer(const Graph& graph, const Dataset& data, Backend& backend);

  Program& program() { return program_; }
  std::int64_t epochs_done() const { return epochs_done_; }
  bool has_validation() const { return validation_is_test_ || validation_ids_.count > 0; }
  std::int64_t train_samples() const { return train_ids_.count; }

  void start(std::uint64_t seed);
  void resume(const Checkpoint& checkpoint);
  Checkpoint checkpoint();

  // Trains from epochs_done() + 1 to the graph's epoch count.
  void fit(const TrainingEvents& events);

  PassMetrics evaluate_test(bool confusion);

 private:
  const Graph& graph_;
  const Dataset& data_;
  Program program_;
  DeviceImages train_images_, test_images_;
  DeviceIds train_ids_, validation_ids_, test_ids_;
  bool validation_is_test_ = false;
  std::int64_t epochs_done_ = 0;
};

}  // namespace gpufm
