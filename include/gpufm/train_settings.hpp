// The training recipe from a model file's `train:` section: loss, target, optimizer and its
// hyperparameters, batch, epochs, validation fraction. Defaults are Keras' (batch 32, epochs 1,
// no validation, each optimizer's own hyperparameters).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gpufm/attrs.hpp"
#include "gpufm/dsl.hpp"

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

struct TrainSettings {
  Loss loss = Loss::crossentropy;
  Target target = Target::labels;
  OptimizerSettings optimizer;
  std::int64_t batch = 32;
  std::int64_t epochs = 1;
  double validation = 0.0;  // the last fraction of the training set, as Keras' validation_split
  bool validate_on_test = false;  // validate on the test split instead, as validation_data=(x_test, y_test)
};

std::string_view name(Loss loss);
std::string_view name(Target target);
std::string_view name(OptimizerKind kind);

// Binds and checks the train section; errors point at the statement.
TrainSettings compile_train_section(const std::vector<dsl::Statement>& section, const std::vector<dsl::Variable>& variables);

// One line for the summary: "crossentropy on labels, adam lr=0.001, batch 128, 10 epochs, validation 0.1".
std::string describe(const TrainSettings& settings);

// What `--set` may change in a train section: the statements' keywords and, per optimizer,
// the hyperparameter names.
std::span<const std::string_view> train_statement_keywords();
Signature optimizer_signature(std::string_view optimizer);  // empty for an unknown optimizer
std::span<const std::string_view> optimizer_names();

}  // namespace gpufm
