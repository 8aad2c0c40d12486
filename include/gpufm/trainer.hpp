// The training loop, read top to bottom: the data split into training and validation ids,
// epochs of shuffled batches at the schedule's learning rate, validation after each, early
// stopping, and the state a checkpoint needs. It talks to a Program, never to a backend
// directly, and reports through callbacks: it never prints.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "gpufm/checkpoint.hpp"
#include "gpufm/early_stopping.hpp"
#include "gpufm/epoch_record.hpp"
#include "gpufm/program.hpp"
#include "gpufm/schedule.hpp"

namespace gpufm {

struct TrainingEvents {
  std::function<void(std::int64_t epoch, std::int64_t epochs)> epoch_begin;
  std::function<void(std::int64_t step, std::int64_t steps, const EpochSoFar& so_far)> step_end;
  // After the epoch's record is complete; the trainer's state is that epoch's end.
  std::function<void(const EpochRecord&)> epoch_end;
  // Asked before each training step; true stops training there, resumably (Trainer::interrupted).
  std::function<bool()> stop_requested;
};

// The training set's ids in two parts: those trained on and those validated on.
struct SplitIds {
  std::vector<std::int32_t> train, validation;
};
// Keras' validation_split: the last fraction of the training set, before any shuffling.
SplitIds split_for_validation(std::int64_t count, double fraction);

class Trainer {
 public:
  // Splits the training set by the model's validation setting, or as `split` says (a k-fold
  // member's folds); the test split is validated on only when the setting says so and no split
  // is given.
  Trainer(const Graph& graph, const Dataset& data, Backend& backend, std::optional<SplitIds> split = std::nullopt);

  Program& program() { return program_; }
  std::int64_t epochs_done() const { return epochs_done_; }
  bool has_validation() const { return validation_is_test_ || validation_ids_.count > 0; }
  bool validates_on_test() const { return validation_is_test_; }
  std::int64_t train_samples() const { return train_ids_.count; }
  // The images predict(validation, ...) draws from: the validation split's, or the test split's.
  std::int64_t split_samples(bool validation) const {
    return validation && !validation_is_test_ ? validation_ids_.count : test_ids_.count;
  }
  std::int64_t steps_per_epoch() const { return program_.steps_per_epoch(train_ids_); }

  // Initial weights from the seed, and the blocks taken from other runs from their checkpoints.
  void start(std::uint64_t seed);
  // Continues from a checkpoint. `history` holds the records of its epochs, which the schedule
  // and early stopping replay to continue exactly; `best_params` are the best epoch's parameters,
  // needed only when early stopping restores them (restores_best()).
  void resume(const Checkpoint& checkpoint, std::span<const EpochRecord> history, std::vector<float> best_params = {});
  Checkpoint checkpoint();

  // Trains from epochs_done() + 1 to the graph's epoch count (with a fine_tune phase's), or until
  // early stopping stops it. Fine-tuning starts with a fresh optimizer, as Keras' recompile.
  // With restore_best the parameters end as the best epoch's (the optimizer's state stays the
  // last epoch's, as in Keras). When events.stop_requested stops it between two steps, it is
  // interrupted(): the parameters stay the last step's, and checkpoint() holds how far epoch
  // epochs_done() + 1 got, from which resume() continues exactly. Throws Diverged at the end of
  // an epoch whose loss was not finite, as the graph's on_nan says.
  void fit(const TrainingEvents& events);
  bool interrupted() const { return interrupted_; }

  // The best epoch so far by early stopping's monitor, or by val_loss (loss without validation).
  std::int64_t best_epoch() const { return early_stopping_.best_epoch(); }
  Monitor best_epoch_monitor() const { return early_stopping_.monitor(); }
  bool stopped_early() const { return early_stopping_.stopped(); }
  bool restores_best() const;

  PassMetrics evaluate_test(bool confusion);
  // The model's outputs for the first `count` images of the test split, or of the validation
  // part of the training set (fewer when it has fewer), with their ids.
  struct Predictions {
    std::vector<std::int32_t> ids;  // into the test split, or the training set
    std::vector<float> outputs;     // ids.size() x the output's elements
  };
  Predictions predict(bool validation, std::int64_t count);
  // The outputs of graph.layers[layer] (a feature space) for images `ids` of the test split, or of
  // the training set: ids.size() x that layer's output elements.
  std::vector<float> layer_outputs(std::size_t layer, bool test, std::span<const std::int32_t> ids);
  // The ids trained on (the training set less the images validated on).
  std::span<const std::int32_t> train_id_list() const { return train_id_list_; }
  // The ids validated on, in order: none when the run validates on the test split, or on nothing.
  std::span<const std::int32_t> validation_id_list() const { return validation_id_list_; }

 private:
  // Epoch 0: weights from the seed, schedule and early stopping at their start.
  void reset(std::uint64_t seed);
  // The schedule and early stopping see an epoch's end, in training and in replay alike.
  void end_epoch(const EpochRecord& record);

  const Graph& graph_;
  const Dataset& data_;
  Program program_;
  DeviceImages train_images_, test_images_;
  DeviceIds train_ids_, validation_ids_, test_ids_;
  std::vector<std::int32_t> train_id_list_, validation_id_list_;  // train_ids_' and validation_ids_' ids, in order
  bool validation_is_test_ = false;
  std::int64_t epochs_done_ = 0;
  bool interrupted_ = false;
  LearningRateSchedule schedule_;
  EarlyStopping early_stopping_;
  std::vector<float> best_params_;  // kept only when restores_best()
};

}  // namespace gpufm
