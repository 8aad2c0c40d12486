// The training recipe from a model file's `train:` section: loss, target, optimizer and its
// hyperparameters, batch, epochs, validation fraction, learning-rate schedule, early stopping,
// augmentation, what a non-finite loss does, and the arithmetic's precision. Defaults are Keras'
// (batch 32, epochs 1, no validation, each optimizer's own hyperparameters, ReduceLROnPlateau's and
// EarlyStopping's own settings, no augmentation); a non-finite loss stops the run.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gpufm/attrs.hpp"
#include "gpufm/dsl.hpp"
#include "gpufm/precision.hpp"

namespace gpufm {

enum class Loss { crossentropy, mse, bce };
enum class Target { labels, input };  // class ids, or the input image itself (autoencoders)
enum class OptimizerKind { sgd, adam, nadam, rmsprop };

struct OptimizerSettings {
  OptimizerKind kind = OptimizerKind::adam;
  double lr = 0.001;
  double momentum = 0.0;      // sgd, rmsprop
  bool nesterov = false;      // sgd
  double beta1 = 0.9;         // adam, nadam
  double beta2 = 0.999;       // adam, nadam
  double rho = 0.9;           // rmsprop
  double epsilon = 1e-7;      // adam, nadam, rmsprop
  double weight_decay = 0.0;  // all
};

// A figure of each epoch's record that a plateau schedule or early stopping watches. Losses
// improve downwards, accuracies upwards (Keras' mode="auto").
enum class Monitor { val_loss, val_accuracy, loss, accuracy };

// How the learning rate changes from epoch to epoch (epochs count from 1; lr is the optimizer's):
//   step         lr * factor^floor((epoch - 1) / every)
//   exponential  lr * rate^(epoch - 1)
//   cosine       min_lr + (lr - min_lr) * (1 + cos(pi * (epoch - 1) / epochs)) / 2, over the run's epochs
//   plateau      Keras' ReduceLROnPlateau: times factor after `patience` epochs without improvement
enum class ScheduleKind { step, exponential, cosine, plateau };

struct ScheduleSettings {
  ScheduleKind kind = ScheduleKind::step;
  std::int64_t every = 1;               // step
  double factor = 0.1;                  // step, plateau
  double rate = 1.0;                    // exponential
  double min_lr = 0.0;                  // cosine, plateau
  Monitor monitor = Monitor::val_loss;  // plateau
  std::int64_t patience = 10;           // plateau
  double min_delta = 1e-4;              // plateau
  std::int64_t cooldown = 0;            // plateau
};

// Keras' EarlyStopping.
struct EarlyStoppingSettings {
  Monitor monitor = Monitor::val_loss;
  std::int64_t patience = 0;
  double min_delta = 0.0;
  bool restore_best = false;  // restore_best_weights
  // The figure an epoch must also beat for its improvement to restart the patience: until one
  // does, the run stops `patience` epochs after the first.
  std::optional<double> baseline;
  // Epochs trained before any is judged (Keras' warm-up); until then the latest epoch stands as
  // the best, for the best checkpoint.
  std::int64_t start_from_epoch = 0;
};

// Random transforms of the training split's images, drawn anew for every sample of every step
// (gpufm/augmentation.hpp); validation and test images are never augmented. Each is off unless
// given.
struct AugmentSettings {
  std::int64_t shift = 0;        // whole pixels along each axis, up to this many either way
  double rotate = 0;             // degrees about the image's centre, up to this many either way
  bool flip_horizontal = false;  // left-right mirror, with probability 1/2
  bool flip_vertical = false;    // upside down, with probability 1/2
  double noise = 0;              // variance of the Gaussian noise added to each pixel (unclipped)

  bool any() const { return shift > 0 || rotate > 0 || flip_horizontal || flip_vertical || noise > 0; }
};

// What follows a training step whose loss is NaN or infinite. Its optimizer step is skipped either
// way; `stop` then ends the run at the epoch's end as diverged (the last epoch's checkpoint and
// the best one kept), `skip_step` trains on, unless every step of an epoch was skipped.
enum class NanPolicy { stop, skip_step };

// A second phase, as Keras' transfer-learning recipe: after the first `epochs`, the frozen blocks
// train too, for `epochs` more, with a new optimizer (its state from zero) at learning rate lr.
struct FineTuneSettings {
  std::int64_t epochs = 1;
  double lr = 0;
};

struct TrainSettings {
  Loss loss = Loss::crossentropy;
  Target target = Target::labels;
  OptimizerSettings optimizer;
  std::int64_t batch = 32;
  std::int64_t epochs = 1;
  double validation = 0.0;  // the last fraction of the training set, as Keras' validation_split
  bool validate_on_test = false;  // validate on the test split instead, as validation_data=(x_test, y_test)
  std::optional<ScheduleSettings> schedule;  // none: the optimizer's lr throughout
  std::optional<EarlyStoppingSettings> early_stopping;
  AugmentSettings augment;
  NanPolicy on_nan = NanPolicy::stop;
  std::optional<FineTuneSettings> fine_tune;
  Precision precision = Precision::fp32;
  LossScaleSettings loss_scale;  // fp16's

  std::int64_t total_epochs() const { return epochs + (fine_tune ? fine_tune->epochs : 0); }
  // Epochs count from 1; those after `epochs` fine-tune.
  bool fine_tunes_at(std::int64_t epoch) const { return fine_tune && epoch > epochs; }
  bool has_validation() const { return validation > 0 || validate_on_test; }
};

std::string_view name(Loss loss);
std::string_view name(Target target);
std::string_view name(OptimizerKind kind);
std::string_view name(Monitor monitor);
std::string_view name(ScheduleKind kind);
std::string_view name(NanPolicy policy);

// Binds and checks the train section; errors point at the statement.
TrainSettings compile_train_section(const std::vector<dsl::Statement>& section, const std::vector<dsl::Variable>& variables);

// One line for the summary: "crossentropy on labels, adam lr=0.001, batch 128, 10 epochs, validation 0.1".
std::string describe(const TrainSettings& settings);

// What `--set` may change in a train section: the statements' keywords and their settings.
std::span<const std::string_view> train_statement_keywords();
// Statements whose first value names what follows (optimizer adam ..., schedule step ...): the
// names one may give (none for the other statements), and a name's settings (none for an
// unknown name).
std::span<const std::string_view> named_statement_names(std::string_view keyword);
Signature named_statement_signature(std::string_view keyword, std::string_view name);
// Whether a train statement, under any name it may give, takes `setting`.
bool train_statement_takes(std::string_view keyword, std::string_view setting);

}  // namespace gpufm
