#include <algorithm>
#include <cstdio>
#include <map>

#include "gpufm/format.hpp"
#include "gpufm/train_settings.hpp"

namespace gpufm {

namespace {

constexpr std::string_view loss_names[] = {"crossentropy", "mse", "bce"};
constexpr std::string_view target_names[] = {"labels", "input"};
constexpr std::string_view optimizer_name_list[] = {"sgd", "adam", "nadam", "rmsprop"};
constexpr std::string_view monitor_names[] = {"val_loss", "val_accuracy", "loss", "accuracy"};
constexpr std::string_view schedule_names[] = {"step", "exponential", "cosine", "plateau"};
constexpr std::string_view nan_policy_names[] = {"stop", "skip_step"};
constexpr std::string_view precision_names[] = {"fp32", "tf32", "bf16", "fp16"};
constexpr std::string_view statement_keywords[] = {"loss",     "target",         "optimizer", "batch",  "epochs",    "validation",
                                                   "schedule", "early_stopping", "augment",   "on_nan", "fine_tune", "precision"};

constexpr ArgSpec loss_signature[] = {{.name = "loss", .kind = ArgKind::choice, .choices = loss_names}};
constexpr ArgSpec target_signature[] = {{.name = "target", .kind = ArgKind::choice, .choices = target_names}};
constexpr ArgSpec batch_signature[] = {{.name = "batch", .kind = ArgKind::integer, .min = 1}};
constexpr ArgSpec epochs_signature[] = {{.name = "epochs", .kind = ArgKind::integer, .min = 1}};
constexpr ArgSpec on_nan_signature[] = {{.name = "on_nan", .kind = ArgKind::choice, .choices = nan_policy_names}};
// A fraction of the training set (its last part, as Keras' validation_split), or the test split
// (as Keras' validation_data=(x_test, y_test)).
constexpr std::string_view validation_splits[] = {"test"};
constexpr ArgSpec validation_signature[] = {
    {.name = "fraction", .kind = ArgKind::real, .optional = true, .min = 0, .max = 1, .max_open = true},
    {.name = "split", .kind = ArgKind::choice, .optional = true, .choices = validation_splits}};

constexpr ArgSpec fine_tune_signature[] = {
    {.name = "epochs", .kind = ArgKind::integer, .positional = false, .min = 1},
    {.name = "lr", .kind = ArgKind::real, .positional = false, .min = 0, .min_open = true}};

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

// The figure a plateau schedule or early stopping watches; Keras' default is val_loss.
constexpr ArgSpec monitor = {.name = "monitor", .kind = ArgKind::choice, .default_value = "val_loss", .choices = monitor_names};
constexpr ArgSpec patience(std::string_view default_value) {
  return {.name = "patience", .kind = ArgKind::integer, .default_value = default_value, .positional = false, .min = 0};
}
constexpr ArgSpec min_delta(std::string_view default_value) {
  return {.name = "min_delta", .kind = ArgKind::real, .default_value = default_value, .positional = false, .min = 0};
}
// A multiplier that makes the learning rate smaller, never zero.
constexpr ArgSpec decay(std::string_view name, std::string_view default_value) {
  return {.name = name, .kind = ArgKind::real, .default_value = default_value, .positional = false, .min = 0, .min_open = true,
          .max = 1, .max_open = true};
}
constexpr ArgSpec min_lr = {.name = "min_lr", .kind = ArgKind::real, .default_value = "0", .positional = false, .min = 0};

// Each schedule's settings: its name first. Plateau's defaults are ReduceLROnPlateau's.
constexpr ArgSpec schedule_choice = {.name = "schedule", .kind = ArgKind::choice, .choices = schedule_names};
constexpr ArgSpec step_signature[] = {
    schedule_choice, {.name = "every", .kind = ArgKind::integer, .positional = false, .min = 1}, decay("factor", "0.1")};
constexpr ArgSpec exponential_signature[] = {schedule_choice, decay("rate", "")};
constexpr ArgSpec cosine_signature[] = {schedule_choice, min_lr};
constexpr ArgSpec plateau_signature[] = {
    schedule_choice, monitor, decay("factor", "0.1"), patience("10"), min_delta("1e-4"),
    {.name = "cooldown", .kind = ArgKind::integer, .default_value = "0", .positional = false, .min = 0}, min_lr};

// Keras' EarlyStopping defaults.
constexpr ArgSpec early_stopping_signature[] = {
    monitor, patience("0"), min_delta("0"),
    {.name = "restore_best", .kind = ArgKind::boolean, .default_value = "false", .positional = false},
    {.name = "baseline", .kind = ArgKind::real, .optional = true, .positional = false},
    {.name = "start_from_epoch", .kind = ArgKind::integer, .default_value = "0", .positional = false, .min = 0}};

// Every transform off by default; keyword-only, since the numbers alone would not say which is which.
constexpr ArgSpec augment_flip(std::string_view name) {
  return {.name = name, .kind = ArgKind::boolean, .default_value = "false", .positional = false};
}
constexpr ArgSpec augment_signature[] = {
    {.name = "shift", .kind = ArgKind::integer, .default_value = "0", .positional = false, .min = 0},
    {.name = "rotate", .kind = ArgKind::real, .default_value = "0", .positional = false, .min = 0, .max = 180},
    augment_flip("flip_horizontal"), augment_flip("flip_vertical"),
    {.name = "noise", .kind = ArgKind::real, .default_value = "0", .positional = false, .min = 0}};

// fp16 alone takes the loss scale's settings (Keras' LossScaleOptimizer defaults).
constexpr ArgSpec precision_choice = {.name = "precision", .kind = ArgKind::choice, .choices = precision_names};
constexpr ArgSpec plain_precision_signature[] = {precision_choice};
constexpr ArgSpec fp16_signature[] = {
    precision_choice,
    {.name = "initial_scale", .kind = ArgKind::real, .default_value = "32768", .positional = false, .min = 1, .max = 1e30},
    {.name = "growth_steps", .kind = ArgKind::integer, .default_value = "2000", .positional = false, .min = 1, .max = 1e9}};

Signature optimizer_signature(std::string_view optimizer) {
  if (optimizer == "sgd") return sgd_signature;
  if (optimizer == "adam" || optimizer == "nadam") return adam_signature;
  if (optimizer == "rmsprop") return rmsprop_signature;
  return {};
}

Signature schedule_signature(std::string_view schedule) {
  if (schedule == "step") return step_signature;
  if (schedule == "exponential") return exponential_signature;
  if (schedule == "cosine") return cosine_signature;
  if (schedule == "plateau") return plateau_signature;
  return {};
}

Signature precision_signature(std::string_view precision) {
  if (precision == "fp16") return fp16_signature;
  if (std::find(std::begin(precision_names), std::end(precision_names), precision) != std::end(precision_names)) {
    return plain_precision_signature;
  }
  return {};
}

// Statements whose settings depend on the name they give first.
struct NamedStatement {
  std::string_view keyword;
  std::span<const std::string_view> names;
  Signature (*signature)(std::string_view name);
  std::string_view example;  // for the message when the name is missing
};
constexpr NamedStatement named_statements[] = {
    {"optimizer", optimizer_name_list, optimizer_signature, "optimizer adam lr=0.001"},
    {"schedule", schedule_names, schedule_signature, "schedule step every=5 factor=0.5"},
    {"precision", precision_names, precision_signature, "precision bf16"},
};

const NamedStatement* find_named(std::string_view keyword) {
  for (const NamedStatement& named : named_statements) {
    if (named.keyword == keyword) return &named;
  }
  return nullptr;
}

// The settings of a statement that takes the same ones whatever its values.
Signature fixed_signature(std::string_view keyword) {
  if (keyword == "loss") return loss_signature;
  if (keyword == "target") return target_signature;
  if (keyword == "batch") return batch_signature;
  if (keyword == "epochs") return epochs_signature;
  if (keyword == "validation") return validation_signature;
  if (keyword == "early_stopping") return early_stopping_signature;
  if (keyword == "augment") return augment_signature;
  if (keyword == "on_nan") return on_nan_signature;
  if (keyword == "fine_tune") return fine_tune_signature;
  return {};
}

template <class Enum>
Enum enum_of(std::span<const std::string_view> names, const std::string& text) {
  return static_cast<Enum>(std::find(names.begin(), names.end(), text) - names.begin());
}

Signature signature_by_name(const dsl::Statement& statement, const std::vector<dsl::Variable>& variables, const NamedStatement& named) {
  const std::string keyword(named.keyword);
  for (const dsl::Arg& arg : statement.args) {
    if (!arg.key.empty()) continue;
    const dsl::Value& value = resolve(arg.value, variables);
    const Signature signature = named.signature(value.text);
    if (!signature.empty()) return signature;
    throw SourceError(arg.loc, "unknown " + keyword + " '" + value.text + "'" + did_you_mean(value.text, named.names) + " (" +
                                   keyword + "s: " + join(named.names, ", ") + ")");
  }
  throw SourceError(statement.loc, keyword + " needs a name (as in: " + std::string(named.example) + ")");
}

Signature signature_of(const dsl::Statement& statement, const std::vector<dsl::Variable>& variables) {
  const std::string& keyword = statement.keyword;
  if (const NamedStatement* named = find_named(keyword)) return signature_by_name(statement, variables, *named);
  if (const Signature signature = fixed_signature(keyword); !signature.empty()) return signature;
  throw SourceError(statement.loc, "unknown train setting '" + keyword + "'" + did_you_mean(keyword, statement_keywords) +
                                       " (settings: " + join(statement_keywords, ", ") + ")");
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

ScheduleSettings schedule_settings(const Attrs& attrs) {
  ScheduleSettings settings;
  settings.kind = enum_of<ScheduleKind>(schedule_names, attrs.choice("schedule"));
  switch (settings.kind) {
    case ScheduleKind::step:
      settings.every = attrs.integer("every");
      settings.factor = attrs.real("factor");
      break;
    case ScheduleKind::exponential: settings.rate = attrs.real("rate"); break;
    case ScheduleKind::cosine: settings.min_lr = attrs.real("min_lr"); break;
    case ScheduleKind::plateau:
      settings.monitor = enum_of<Monitor>(monitor_names, attrs.choice("monitor"));
      settings.factor = attrs.real("factor");
      settings.patience = attrs.integer("patience");
      settings.min_delta = attrs.real("min_delta");
      settings.cooldown = attrs.integer("cooldown");
      settings.min_lr = attrs.real("min_lr");
      break;
  }
  return settings;
}

EarlyStoppingSettings early_stopping_settings(const Attrs& attrs) {
  return EarlyStoppingSettings{.monitor = enum_of<Monitor>(monitor_names, attrs.choice("monitor")),
                               .patience = attrs.integer("patience"),
                               .min_delta = attrs.real("min_delta"),
                               .restore_best = attrs.boolean("restore_best"),
                               .baseline = attrs.given("baseline") ? std::optional<double>(attrs.real("baseline")) : std::nullopt,
                               .start_from_epoch = attrs.integer("start_from_epoch")};
}

AugmentSettings augment_settings(const Attrs& attrs) {
  return AugmentSettings{.shift = attrs.integer("shift"),
                         .rotate = attrs.real("rotate"),
                         .flip_horizontal = attrs.boolean("flip_horizontal"),
                         .flip_vertical = attrs.boolean("flip_vertical"),
                         .noise = attrs.real("noise")};
}

std::string number(double x) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", x);
  return text;
}

// A val_ figure needs validation, an accuracy a classifier; `watcher` says who asks.
void check_monitor(Monitor monitor, const TrainSettings& settings, const std::string& watcher, const SourceLoc& loc) {
  const std::string figure(name(monitor));
  const bool validated = figure.starts_with("val_");
  const bool accuracy = figure.ends_with("accuracy");
  if (validated && !settings.has_validation()) {
    throw SourceError(loc, watcher + " monitors " + figure + ", but nothing is validated; add 'validation 0.1' or monitor " +
                               figure.substr(4));
  }
  if (accuracy && settings.target != Target::labels) {
    throw SourceError(loc, watcher + " monitors " + figure + ", but a model whose target is its input has no accuracy; monitor " +
                               (validated ? "val_loss" : "loss"));
  }
}

// The checks that need the whole section: what the watched figures need, min_lr against lr.
void check_schedule_and_early_stopping(const TrainSettings& settings, const std::map<std::string, SourceLoc>& locations) {
  if (const std::optional<ScheduleSettings>& schedule = settings.schedule) {
    const SourceLoc& loc = locations.at("schedule");
    if (schedule->kind == ScheduleKind::plateau) check_monitor(schedule->monitor, settings, "schedule plateau", loc);
    if (schedule->min_lr > settings.optimizer.lr) {
      throw SourceError(loc, "schedule " + std::string(name(schedule->kind)) + ": min_lr " + number(schedule->min_lr) +
                                 " is above the optimizer's lr " + number(settings.optimizer.lr));
    }
  }
  if (settings.early_stopping) check_monitor(settings.early_stopping->monitor, settings, "early_stopping", locations.at("early_stopping"));
}

// The target of a model whose target is its input is the batch's input as gathered, so
// augmented like it: a shifted or rotated image is a fine target, a noisy one is not (the model
// would learn to reproduce the noise).
void check_augment(const TrainSettings& settings, const std::map<std::string, SourceLoc>& locations) {
  if (settings.augment.noise > 0 && settings.target == Target::input) {
    throw SourceError(locations.at("augment"),
                      "augment: noise would be in the target too, since the target is the input itself; augment a model whose "
                      "target is its input with shift, rotate and flips only");
  }
}

// A schedule or early stopping would have to say which phase they watch; not supported yet.
void check_fine_tune(const TrainSettings& settings, const std::map<std::string, SourceLoc>& locations) {
  if (!settings.fine_tune) return;
  for (const char* other : {"schedule", "early_stopping"}) {
    if (locations.contains(other)) {
      throw SourceError(locations.at("fine_tune"), std::string("fine_tune and ") + other + " (at " + locations.at(other).str() +
                                                       ") do not combine: give each phase its epochs and learning rate");
    }
  }
}

std::string describe(const ScheduleSettings& schedule) {
  std::string text = "schedule " + std::string(name(schedule.kind));
  switch (schedule.kind) {
    case ScheduleKind::step: return text + " every=" + std::to_string(schedule.every) + " factor=" + number(schedule.factor);
    case ScheduleKind::exponential: return text + " rate=" + number(schedule.rate);
    case ScheduleKind::cosine: break;
    case ScheduleKind::plateau:
      text.append(" ").append(name(schedule.monitor));
      text += " factor=" + number(schedule.factor) + " patience=" + std::to_string(schedule.patience) +
              " min_delta=" + number(schedule.min_delta);
      if (schedule.cooldown > 0) text += " cooldown=" + std::to_string(schedule.cooldown);
      break;
  }
  if (schedule.min_lr > 0) text += " min_lr=" + number(schedule.min_lr);
  return text;
}

// The transforms in use, as the statement would give them.
std::string describe(const AugmentSettings& augment) {
  std::string text = "augment";
  if (augment.shift > 0) text += " shift=" + std::to_string(augment.shift);
  if (augment.rotate > 0) text += " rotate=" + number(augment.rotate);
  if (augment.flip_horizontal) text += " flip_horizontal=true";
  if (augment.flip_vertical) text += " flip_vertical=true";
  if (augment.noise > 0) text += " noise=" + number(augment.noise);
  return text;
}

std::string describe(const EarlyStoppingSettings& early_stopping) {
  std::string text = "early_stopping " + std::string(name(early_stopping.monitor)) + " patience=" + std::to_string(early_stopping.patience);
  if (early_stopping.min_delta > 0) text += " min_delta=" + number(early_stopping.min_delta);
  if (early_stopping.restore_best) text += " restore_best=true";
  if (early_stopping.baseline) text += " baseline=" + number(*early_stopping.baseline);
  if (early_stopping.start_from_epoch > 0) text += " start_from_epoch=" + std::to_string(early_stopping.start_from_epoch);
  return text;
}

}  // namespace

std::string_view name(Loss loss) { return loss_names[static_cast<int>(loss)]; }
std::string_view name(Target target) { return target_names[static_cast<int>(target)]; }
std::string_view name(OptimizerKind kind) { return optimizer_name_list[static_cast<int>(kind)]; }
std::string_view name(Monitor monitor) { return monitor_names[static_cast<int>(monitor)]; }
std::string_view name(ScheduleKind kind) { return schedule_names[static_cast<int>(kind)]; }
std::string_view name(NanPolicy policy) { return nan_policy_names[static_cast<int>(policy)]; }
std::string_view name(Precision precision) { return precision_names[static_cast<int>(precision)]; }

std::span<const std::string_view> train_statement_keywords() { return statement_keywords; }

std::span<const std::string_view> named_statement_names(std::string_view keyword) {
  const NamedStatement* named = find_named(keyword);
  return named ? named->names : std::span<const std::string_view>{};
}

Signature named_statement_signature(std::string_view keyword, std::string_view name) {
  const NamedStatement* named = find_named(keyword);
  return named ? named->signature(name) : Signature{};
}

bool train_statement_takes(std::string_view keyword, std::string_view setting) {
  const auto takes = [&](Signature signature) {
    return std::any_of(signature.begin(), signature.end(), [&](const ArgSpec& spec) { return spec.name == setting; });
  };
  const NamedStatement* named = find_named(keyword);
  if (named == nullptr) return takes(fixed_signature(keyword));
  return std::any_of(named->names.begin(), named->names.end(), [&](std::string_view name) { return takes(named->signature(name)); });
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
    if (keyword == "schedule") settings.schedule = schedule_settings(attrs);
    if (keyword == "early_stopping") settings.early_stopping = early_stopping_settings(attrs);
    if (keyword == "augment") settings.augment = augment_settings(attrs);
    if (keyword == "on_nan") settings.on_nan = enum_of<NanPolicy>(nan_policy_names, attrs.choice("on_nan"));
    if (keyword == "precision") {
      settings.precision = enum_of<Precision>(precision_names, attrs.choice("precision"));
      if (settings.precision == Precision::fp16) {
        settings.loss_scale = LossScaleSettings{.initial = attrs.real("initial_scale"), .growth_steps = attrs.integer("growth_steps")};
      }
    }
    if (keyword == "fine_tune") settings.fine_tune = FineTuneSettings{.epochs = attrs.integer("epochs"), .lr = attrs.real("lr")};
  }
  // A reconstruction loss trains an autoencoder unless the file says otherwise.
  if (!target_given) settings.target = settings.loss == Loss::crossentropy ? Target::labels : Target::input;
  check_schedule_and_early_stopping(settings, seen);
  check_augment(settings, seen);
  check_fine_tune(settings, seen);
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
  if (settings.schedule) text += ", " + describe(*settings.schedule);
  if (settings.early_stopping) text += ", " + describe(*settings.early_stopping);
  if (settings.augment.any()) text += ", " + describe(settings.augment);
  if (settings.on_nan != NanPolicy::stop) text += ", on_nan " + std::string(name(settings.on_nan));
  if (settings.precision != Precision::fp32) text += ", precision " + std::string(name(settings.precision));
  if (settings.fine_tune) {
    text += ", then fine_tune " + std::to_string(settings.fine_tune->epochs) + (settings.fine_tune->epochs == 1 ? " epoch" : " epochs") +
            " at lr=" + number(settings.fine_tune->lr);
  }
  return text;
}

}  // namespace gpufm
