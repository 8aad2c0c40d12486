#include <gtest/gtest.h>

#include "gpufm/graph.hpp"
#include "support/expect_error.hpp"

namespace gpufm::dsl {
namespace {

using test::error_of;

constexpr const char* model_text = R"(let units = 16
input 784
dense $units relu
dense 10 softmax
train:
  optimizer sgd lr=0.1 momentum=0.9
  batch 64
  validation 0.1
  schedule step every=5 factor=0.5
)";

Graph with(const std::vector<Override>& overrides) {
  Model model = parse(model_text, "m.dsl");
  apply_overrides(model, overrides);
  return compile(model);
}

std::string override_error(const std::vector<Override>& overrides) {
  return error_of<InputError>([&] { with(overrides); });
}

TEST(Overrides, ParseKeyEqualsValue) {
  const Override o = parse_override("lr=1e-3");
  EXPECT_EQ(o.key, "lr");
  EXPECT_EQ(o.value, "1e-3");
  EXPECT_EQ(parse_override("name=a=b").value, "a=b");
  for (const char* bad : {"lr", "=3", "lr="}) {
    EXPECT_EQ(error_of<InputError>([&] { parse_override(bad); }),
              std::string("--set ") + bad + ": expected KEY=VALUE (as: --set lr=0.01)");
  }
}

TEST(Overrides, VariablesAndTrainSettings) {
  const Graph graph = with({{"units", "32"}, {"batch", "256"}, {"epochs", "3"}, {"lr", "0.5"}, {"validation", "0.2"}});
  EXPECT_EQ(graph.layers[0].output.str(), "32");
  EXPECT_EQ(graph.train.batch, 256);
  EXPECT_EQ(graph.train.epochs, 3);
  EXPECT_DOUBLE_EQ(graph.train.optimizer.lr, 0.5);
  EXPECT_DOUBLE_EQ(graph.train.optimizer.momentum, 0.9);
  EXPECT_DOUBLE_EQ(graph.train.validation, 0.2);
}

TEST(Overrides, ChangingTheOptimizerKeepsWhatItTakes) {
  const Graph adam = with({{"optimizer", "adam"}});
  EXPECT_EQ(adam.train.optimizer.kind, OptimizerKind::adam);
  EXPECT_DOUBLE_EQ(adam.train.optimizer.lr, 0.1);  // kept: adam takes lr
  EXPECT_DOUBLE_EQ(adam.train.optimizer.momentum, 0.0);  // dropped: adam has none
  // Order on the command line does not matter: the optimizer changes first.
  const Graph rms = with({{"rho", "0.8"}, {"optimizer", "rmsprop"}});
  EXPECT_DOUBLE_EQ(rms.train.optimizer.rho, 0.8);
  EXPECT_DOUBLE_EQ(rms.train.optimizer.momentum, 0.9);
}

TEST(Overrides, ScheduleAndEarlyStoppingLikeTheOtherStatements) {
  const Graph step = with({{"schedule.every", "3"}});
  EXPECT_EQ(step.train.schedule->every, 3);
  EXPECT_DOUBLE_EQ(step.train.schedule->factor, 0.5);
  // A new schedule keeps the settings it also takes (factor) and drops the others (every).
  const Graph plateau = with({{"schedule.patience", "2"}, {"schedule", "plateau"}});
  EXPECT_EQ(plateau.train.schedule->kind, ScheduleKind::plateau);
  EXPECT_DOUBLE_EQ(plateau.train.schedule->factor, 0.5);
  EXPECT_EQ(plateau.train.schedule->patience, 2);
  const Graph stopping =
      with({{"early_stopping", "val_accuracy"}, {"early_stopping.patience", "4"}, {"early_stopping.restore_best", "true"}});
  EXPECT_EQ(stopping.train.early_stopping->monitor, Monitor::val_accuracy);
  EXPECT_EQ(stopping.train.early_stopping->patience, 4);
  EXPECT_TRUE(stopping.train.early_stopping->restore_best);
  EXPECT_EQ(with({{"early_stopping.min_delta", "0.01"}}).train.early_stopping->monitor, Monitor::val_loss);
}

TEST(Overrides, ScheduleAndEarlyStoppingErrors) {
  EXPECT_EQ(override_error({{"patience", "3"}}),
            "--set patience=3: unknown key 'patience' (write it as schedule.patience or early_stopping.patience) (keys: units, loss, "
            "target, optimizer, batch, epochs, validation, schedule, early_stopping, augment, on_nan, fine_tune, precision, lr, momentum, nesterov, weight_decay)");
  EXPECT_EQ(override_error({{"schedule", "cosine"}, {"schedule.every", "2"}}),
            "--set schedule.every=2: schedule has no setting 'every' (usage: schedule step|exponential|cosine|plateau [min_lr=V])");
  EXPECT_EQ(override_error({{"schedule", "linear"}}),
            "--set schedule=linear: unknown schedule 'linear' (schedules: step, exponential, cosine, plateau)");
  EXPECT_EQ(override_error({{"schedule.factor", "2"}}), "--set schedule.factor=2: schedule: factor must be in (0, 1), got 2");
  EXPECT_EQ(override_error({{"early_stopping.patience", "-1"}}),
            "--set early_stopping.patience=-1: early_stopping: patience must be at least 0, got -1");
}

// The model has no augment statement: the first setting adds it, the next ones add to it.
TEST(Overrides, AugmentSettingsAreQualifiedByTheStatement) {
  const AugmentSettings augment =
      with({{"augment.rotate", "15"}, {"augment.flip_horizontal", "true"}, {"augment.noise", "0.01"}}).train.augment;
  EXPECT_DOUBLE_EQ(augment.rotate, 15.0);
  EXPECT_TRUE(augment.flip_horizontal);
  EXPECT_DOUBLE_EQ(augment.noise, 0.01);
  EXPECT_EQ(augment.shift, 0);
  EXPECT_FALSE(with({}).train.augment.any());
  EXPECT_EQ(override_error({{"rotate", "15"}}),
            "--set rotate=15: unknown key 'rotate' (write it as augment.rotate) (keys: units, loss, target, optimizer, batch, epochs, "
            "validation, schedule, early_stopping, augment, on_nan, fine_tune, precision, lr, momentum, nesterov, weight_decay)");
  EXPECT_EQ(override_error({{"augment.rotate", "200"}}), "--set augment.rotate=200: augment: rotate must be in [0, 180], got 200");
}

// --precision is --set precision=...: a name change keeps the settings the new precision takes.
TEST(Overrides, PrecisionAndItsLossScale) {
  const Graph fp16 = with({{"precision", "fp16"}, {"precision.growth_steps", "10"}});
  EXPECT_EQ(fp16.train.precision, Precision::fp16);
  EXPECT_EQ(fp16.train.loss_scale.growth_steps, 10);
  EXPECT_DOUBLE_EQ(fp16.train.loss_scale.initial, 32768);
  Model model = parse(std::string(model_text) + "  precision fp16 initial_scale=1024\n", "m.dsl");
  apply_overrides(model, {{"precision", "bf16"}});
  EXPECT_EQ(compile(model).train.precision, Precision::bf16);
  EXPECT_NE(to_source(model).find("  precision bf16\n"), std::string::npos);
  EXPECT_EQ(override_error({{"precision", "fp8"}}), "--set precision=fp8: unknown precision 'fp8' (precisions: fp32, tf32, bf16, fp16)");
}

TEST(Overrides, TheModelAsUsedRecordsThem) {
  Model model = parse(model_text, "m.dsl");
  apply_overrides(model, {{"units", "8"}, {"loss", "crossentropy"}});
  const std::string text = to_source(model);
  EXPECT_NE(text.find("let units = 8\n"), std::string::npos);
  EXPECT_NE(text.find("  loss crossentropy\n"), std::string::npos);
}

TEST(Overrides, UnknownKeysAndBadValues) {
  EXPECT_EQ(override_error({{"unit", "8"}}),
            "--set unit=8: unknown key 'unit'; did you mean 'units'? (keys: units, loss, target, optimizer, batch, epochs, "
            "validation, schedule, early_stopping, augment, on_nan, fine_tune, precision, lr, momentum, nesterov, weight_decay)");
  EXPECT_EQ(override_error({{"beta1", "0.8"}}),
            "--set beta1=0.8: unknown key 'beta1' ('beta1' is a setting of adam, not of sgd) (keys: units, loss, target, "
            "optimizer, batch, epochs, validation, schedule, early_stopping, augment, on_nan, fine_tune, precision, lr, momentum, nesterov, weight_decay)");
  EXPECT_EQ(override_error({{"batch", "big"}}), "--set batch=big: batch: unexpected 'big' (usage: batch BATCH)");
  EXPECT_EQ(override_error({{"batch", "1 2"}}), "--set batch=1 2: unexpected '2' after the value");
  EXPECT_EQ(override_error({{"units", "$x"}}), "--set units=$x: a value given with --set is written out, not a variable");
  // A bad value reaching a layer through a variable is blamed on the --set that gave it, not on
  // the $units in the file.
  EXPECT_EQ(override_error({{"units", "many"}}),
            "--set units=many: dense: unexpected 'many' (usage: dense UNITS [linear|relu|sigmoid|tanh|softmax|leaky_relu] [alpha=V] "
            "[init=glorot_uniform|glorot_normal|he_uniform|he_normal|lecun_normal])");
  EXPECT_EQ(override_error({{"optimizer", "adamw"}}),
            "--set optimizer=adamw: unknown optimizer 'adamw'; did you mean 'adam'? (optimizers: sgd, adam, nadam, rmsprop)");
}

}  // namespace
}  // namespace gpufm::dsl
