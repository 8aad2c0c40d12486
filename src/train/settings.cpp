#include <algorithm>
#include <cstdio>
#include <map>

#include "gpufm/train_settings.hpp"

namespace gpufm {

namespace {

constexpr std::string_view loss_names[] = {"crossentropy", "mse", "bce"};
constexpr std::string_view target_names[] = {"labels", "input"};
constexpr std::string_view optimizer_name_list[] = {"sgd", "adam", "nadam", "rmsprop"};
constexpr std::string_view statement_keywords[] = {"loss", "target", "optimizer", "batch", "epochs", "validation"};

constexpr ArgSpec loss_signature[] = {{.name = "loss", .kind = ArgKind::choice, .choices = loss_names}};
constexpr ArgSpec target_signature[] = {{.name = "target", .kind = ArgKind::choice, .choices = target_names}};
constexpr ArgSpec batch_signature[] = {{.name = "batch", .kind = ArgKind::integer, .min = 1}};
constexpr ArgSpec epochs_signature[] = {{.name = "epochs", .kind = ArgKind::integer, .min = 1}};
// A fraction of the training set (its last part, as Keras' validation_split), or the test split
// (as Keras' validation_data=(x_test, y_test)).
constexpr std::string_view validation_splits[] = {"test"};
constexpr ArgSpec validation_signature[] = {
    {.name = "fraction", .kind = ArgKind::real, .optional = true, .min = 0, .max = 1, .max_open = true},
    {.name = "split", .kind = ArgKind::choice, .optional = true, .choices = validation_splits}};

// Each optimizer's settings: its name first, then its hyperparameters with Keras' defaults.
constexpr ArgSpec optimizer_choice = {.name = "optimizer", .kind = ArgKind::choice, .choices = optimizer_name_list};
constexpr ArgSpec learning_rate(std::string_view default_value) {
  return {.name = "lr", .kind = ArgKind::real, .default_value = default_value, .positional = false, .min = 0};
}
constexpr ArgSpec fraction(std::string_view name, std::string_view default_value) {
  return {.name = name, .kind = ArgKind::real, .default_value = default_value, .positional = false, .min = 0, .max = 1,
          .max_open = true};
}
constexpr ArgSpec epsilon = {.name = "epsilon", .kind = ArgKind::real, .default_value = "1e-7", .positional = false, .min = 0};
constexpr ArgSpec weight_decay = {.name = "weight_decay", .kind = ArgKind::real, .default_value = "0", .positional = false, .min = 0};

constexpr ArgSpec sgd_signature[] = {
    optimizer_choice, learning_rate("0.01"), fraction("momentum", "0"),
    {.name = "nesterov", .kind = ArgKind::boolean, .default_value = "false", .positional = false}, weight_decay};
constexpr ArgSpec adam_signature[] = {
    optimizer_choice, learning_rate("0.001"), fraction("beta1", "0.9"), fraction("beta2", "0.999"), epsilon, weight_decay};
constexpr ArgSpec rmsprop_signature[] = {
    optimizer_choice, learning_rate("0.001"), fraction("rho", "0.9"), fraction("momentum", "0"), epsilon, weight_decay};

template <class Enum>
Enum enum_of(std::span<const std::string_view> names, const std::string& text) {
  return static_cast<Enum>(std::find(names.begin(), names.end(), text) - names.begin());
}

Signature signature_of(const dsl::Statement& statement, const std::vector<dsl::Variable>& variables) {
  const std::string& keyword = statement.keyword;
  if (keyword == "loss") return loss_signature;
  if (keyword == "target") return target_signature;
  if (keyword == "batch") return batch_signature;
  if (keyword == "epochs") return epochs_signature;
  if (keyword == "validation") return validation_signature;
  if (keyword == "optimizer") {
    // Which hyperparameters are allowed depends on the optimizer named first.
    for (const dsl::Arg& arg : statement.args) {
      if (!arg.key.empty()) continue;
      const dsl::Value& value = resolve(arg.value, variables);
      const Signature signature = optimizer_signature(value.text);
      if (!signature.empty()) return signature;
      throw SourceError(arg.loc, "unknown optimizer '" + value.text + "'" + did_you_mean(value.text, optimizer_name_list) +
                                     " (optimizers: sgd, adam, nadam, rmsprop)");
    }
    throw SourceError(statement.loc, "optimizer needs a name (as in: optimizer adam lr=0.001)");
  }
  throw SourceError(statement.loc, "unknown train setting '" + keyword + "'" + did_you_mean(keyword, statement_keywords) +
                                       " (settings: loss, target, optimizer, batch, epochs, validation)");
}

OptimizerSettings optimizer_settings(const Attrs& attrs) {
  OptimizerSettings settings;
  settings.kind = enum_of<OptimizerKind>(optimizer_name_list, attrs.choice("optimizer"));
  settings.lr = attrs.real("lr");
  settings.weight_decay = attrs.real("weight_decay");
  switch (settings.kind) {
    case OptimizerKind::sgd:
      settings.momentum = attrs.real("momentum");
      settings.nesterov = attrs.boolean("nesterov");
      break;
    case OptimizerKind::adam:
    case OptimizerKind::nadam:
      settings.beta1 = attrs.real("beta1");
      settings.beta2 = attrs.real("beta2");
      settings.epsilon = attrs.real("epsilon");
      break;
    case OptimizerKind::rmsprop:
      settings.rho = attrs.real("rho");
      settings.momentum = attrs.real("momentum");
      settings.epsilon = attrs.real("epsilon");
      break;
  }
  return settings;
}

std::string number(double x) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", x);
  return text;
}

}  // namespace

std::string_view name(Loss loss) { return loss_names[static_cast<int>(loss)]; }
std::string_view name(Target target) { return target_names[static_cast<int>(target)]; }
std::string_view name(OptimizerKind kind) { return optimizer_name_list[static_cast<int>(kind)]; }

std::span<const std::string_view> train_statement_keywords() { return statement_keywords; }
std::span<const std::string_view> optimizer_names() { return optimizer_name_list; }

Signature optimizer_signature(std::string_view optimizer) {
  if (optimizer == "sgd") return sgd_signature;
  if (optimizer == "adam" || optimizer == "nadam") return adam_signature;
  if (optimizer == "rmsprop") return rmsprop_signature;
  return {};
}

TrainSettings compile_train_section(const std::vector<dsl::Statement>& section, const std::vector<dsl::Variable>& variables) {
  TrainSettings settings;
  std::map<std::string, SourceLoc> seen;
  bool target_given = false;
  for (const dsl::Statement& statement : section) {
    const Signature signature = signature_of(statement, variables);
    if (const auto earlier = seen.find(statement.keyword); earlier != seen.end()) {
      throw SourceError(statement.loc, "'" + statement.keyword + "' is already set at " + earlier->second.str());
    }
    seen.emplace(statement.keyword, statement.loc);
    const Attrs attrs = bind_args(statement, signature, variables);
    const std::string& keyword = statement.keyword;
    if (keyword == "loss") settings.loss = enum_of<Loss>(loss_names, attrs.choice("loss"));
    if (keyword == "target") {
      settings.target = enum_of<Target>(target_names, attrs.choice("target"));
      target_given = true;
    }
    if (keyword == "optimizer") settings.optimizer = optimizer_settings(attrs);
    if (keyword == "batch") settings.batch = attrs.integer("batch");
    if (keyword == "epochs") settings.epochs = attrs.integer("epochs");
    if (keyword == "validation") {
      if (attrs.given("fraction") == attrs.given("split")) {
        throw SourceError(statement.loc, "validation takes a fraction of the training set (as: validation 0.1) or 'test'");
      }
      settings.validation = attrs.given("fraction") ? attrs.real("fraction") : 0.0;
      settings.validate_on_test = attrs.given("split");
    }
  }
  // A reconstruction loss trains an autoencoder unless the file says otherwise.
  if (!target_given) settings.target = settings.loss == Loss::crossentropy ? Target::labels : Target::input;
  return settings;
}

std::string describe(const TrainSettings& settings) {
  const OptimizerSettings& optimizer = settings.optimizer;
  std::string text = std::string(name(settings.loss)) + " on " + std::string(name(settings.target)) + ", " +
                     std::string(name(optimizer.kind)) + " lr=" + number(optimizer.lr);
  if (optimizer.momentum > 0) text += " momentum=" + number(optimizer.momentum);
  if (optimizer.nesterov) text += " nesterov=true";
  if (optimizer.weight_decay > 0) text += " weight_decay=" + number(optimizer.weight_decay);
  text += ", batch " + std::to_string(settings.batch) + ", " + std::to_string(settings.epochs) +
          (settings.epochs == 1 ? " epoch" : " epochs");
  if (settings.validation > 0) text += ", validation " + number(settings.validation);
  if (settings.validate_on_test) text += ", validation on the test split";
  return text;
}

}  // namespace gpufm
