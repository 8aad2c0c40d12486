#include "gpufm/train_settings.hpp"

#include <gtest/gtest.h>

#include "support/expect_error.hpp"

namespace gpufm {
namespace {

using test::error_of;

TrainSettings settings(const std::string& section) {
  const dsl::Model model = dsl::parse("let rate = 0.05\ntrain:\n" + section, "m.dsl");
  return compile_train_section(model.train, model.variables);
}

std::string settings_error(const std::string& section) {
  return error_of<SourceError>([&] { settings(section); });
}

TEST(TrainSettings, KerasDefaultsWhenAbsent) {
  const TrainSettings defaults = compile_train_section({}, {});
  EXPECT_EQ(defaults.loss, Loss::crossentropy);
  EXPECT_EQ(defaults.target, Target::labels);
  EXPECT_EQ(defaults.optimizer.kind, OptimizerKind::adam);
  EXPECT_DOUBLE_EQ(defaults.optimizer.lr, 0.001);
  EXPECT_DOUBLE_EQ(defaults.optimizer.epsilon, 1e-7);
  EXPECT_EQ(defaults.batch, 32);
  EXPECT_EQ(defaults.epochs, 1);
  EXPECT_DOUBLE_EQ(defaults.validation, 0.0);
}

TEST(TrainSettings, EachOptimizerWithItsOwnDefaults) {
  const TrainSettings sgd = settings("  optimizer sgd momentum=0.9 nesterov=true\n");
  EXPECT_EQ(sgd.optimizer.kind, OptimizerKind::sgd);
  EXPECT_DOUBLE_EQ(sgd.optimizer.lr, 0.01);
  EXPECT_DOUBLE_EQ(sgd.optimizer.momentum, 0.9);
  EXPECT_TRUE(sgd.optimizer.nesterov);
  const TrainSettings rmsprop = settings("  optimizer rmsprop lr=$rate\n");
  EXPECT_DOUBLE_EQ(rmsprop.optimizer.lr, 0.05);
  EXPECT_DOUBLE_EQ(rmsprop.optimizer.rho, 0.9);
  const TrainSettings nadam = settings("  optimizer nadam beta2=0.99 weight_decay=0.0001\n");
  EXPECT_EQ(nadam.optimizer.kind, OptimizerKind::nadam);
  EXPECT_DOUBLE_EQ(nadam.optimizer.beta2, 0.99);
  EXPECT_DOUBLE_EQ(nadam.optimizer.weight_decay, 0.0001);
}

TEST(TrainSettings, ReconstructionLossesTargetTheInput) {
  EXPECT_EQ(settings("  loss mse\n").target, Target::input);
  EXPECT_EQ(settings("  loss bce\n").target, Target::input);
  EXPECT_EQ(settings("  loss mse\n  target labels\n").target, Target::labels);
  const TrainSettings all = settings("  loss crossentropy\n  batch 256\n  epochs 7\n  validation 0.25\n");
  EXPECT_EQ(all.batch, 256);
  EXPECT_EQ(all.epochs, 7);
  EXPECT_DOUBLE_EQ(all.validation, 0.25);
  EXPECT_EQ(describe(all), "crossentropy on labels, adam lr=0.001, batch 256, 7 epochs, validation 0.25");
}

TEST(TrainSettings, OnNanStopsUnlessToldToSkipTheStep) {
  EXPECT_EQ(settings("  batch 32\n").on_nan, NanPolicy::stop);
  const TrainSettings skipping = settings("  on_nan skip_step\n");
  EXPECT_EQ(skipping.on_nan, NanPolicy::skip_step);
  EXPECT_EQ(describe(skipping), "crossentropy on labels, adam lr=0.001, batch 32, 1 epoch, on_nan skip_step");
  EXPECT_EQ(settings_error("  on_nan skip\n"), "m.dsl:3:10: on_nan: unexpected 'skip' (usage: on_nan stop|skip_step)");
}

TEST(TrainSettings, ErrorsPointAtTheStatement) {
  EXPECT_EQ(settings_error("  batchsize 3\n"),
            "m.dsl:3:3: unknown train setting 'batchsize' (settings: loss, target, optimizer, batch, epochs, validation, schedule, "
            "early_stopping, augment, on_nan, fine_tune, precision)");
  EXPECT_EQ(settings_error("  epoch 3\n"),
            "m.dsl:3:3: unknown train setting 'epoch'; did you mean 'epochs'? (settings: loss, target, optimizer, batch, epochs, "
            "validation, schedule, early_stopping, augment, on_nan, fine_tune, precision)");
  EXPECT_EQ(settings_error("  optimizer adma\n"),
            "m.dsl:3:13: unknown optimizer 'adma'; did you mean 'adam'? (optimizers: sgd, adam, nadam, rmsprop)");
  EXPECT_EQ(settings_error("  optimizer lr=0.1\n"), "m.dsl:3:3: optimizer needs a name (as in: optimizer adam lr=0.001)");
  EXPECT_EQ(settings_error("  optimizer adam momentum=0.9\n"),
            "m.dsl:3:18: optimizer has no setting 'momentum' (usage: optimizer sgd|adam|nadam|rmsprop [lr=V] [beta1=V] "
            "[beta2=V] [epsilon=V] [weight_decay=V])");
  EXPECT_EQ(settings_error("  optimizer sgd lr=-1\n"), "m.dsl:3:20: optimizer: lr must be at least 0, got -1");
  EXPECT_EQ(settings_error("  batch 0\n"), "m.dsl:3:9: batch: batch must be at least 1, got 0");
  EXPECT_EQ(settings_error("  validation 1\n"), "m.dsl:3:14: validation: fraction must be in [0, 1), got 1");
  EXPECT_EQ(settings_error("  validation 0.1 test\n"),
            "m.dsl:3:3: validation takes a fraction of the training set (as: validation 0.1) or 'test'");
  EXPECT_TRUE(settings("  validation test\n").validate_on_test);
  EXPECT_EQ(settings_error("  loss hinge\n"), "m.dsl:3:8: loss: unexpected 'hinge' (usage: loss crossentropy|mse|bce)");
  EXPECT_EQ(settings_error("  batch 3\n  batch 4\n"), "m.dsl:4:3: 'batch' is already set at m.dsl:3:3");
}

TEST(TrainSettings, SchedulesTakeTheirOwnSettings) {
  EXPECT_FALSE(settings("  batch 8\n").schedule.has_value());
  const ScheduleSettings step = settings("  schedule step every=5 factor=0.5\n").schedule.value();
  EXPECT_EQ(step.kind, ScheduleKind::step);
  EXPECT_EQ(step.every, 5);
  EXPECT_DOUBLE_EQ(step.factor, 0.5);
  EXPECT_DOUBLE_EQ(settings("  schedule step every=2\n").schedule->factor, 0.1);
  const ScheduleSettings exponential = settings("  schedule exponential rate=$rate\n").schedule.value();
  EXPECT_EQ(exponential.kind, ScheduleKind::exponential);
  EXPECT_DOUBLE_EQ(exponential.rate, 0.05);
  EXPECT_DOUBLE_EQ(settings("  schedule cosine\n").schedule->min_lr, 0.0);
  EXPECT_DOUBLE_EQ(settings("  schedule cosine min_lr=1e-5\n").schedule->min_lr, 1e-5);
  // ReduceLROnPlateau's defaults.
  const ScheduleSettings plateau = settings("  validation 0.1\n  schedule plateau\n").schedule.value();
  EXPECT_EQ(plateau.kind, ScheduleKind::plateau);
  EXPECT_EQ(plateau.monitor, Monitor::val_loss);
  EXPECT_DOUBLE_EQ(plateau.factor, 0.1);
  EXPECT_EQ(plateau.patience, 10);
  EXPECT_DOUBLE_EQ(plateau.min_delta, 1e-4);
  EXPECT_EQ(plateau.cooldown, 0);
  EXPECT_DOUBLE_EQ(plateau.min_lr, 0.0);
  const ScheduleSettings watched = settings("  schedule plateau accuracy factor=0.5 patience=3 cooldown=2 min_lr=1e-5\n").schedule.value();
  EXPECT_EQ(watched.monitor, Monitor::accuracy);
  EXPECT_EQ(watched.patience, 3);
  EXPECT_EQ(watched.cooldown, 2);
}

TEST(TrainSettings, EarlyStoppingWithKerasDefaults) {
  EXPECT_FALSE(settings("  batch 8\n").early_stopping.has_value());
  const EarlyStoppingSettings defaults = settings("  validation test\n  early_stopping\n").early_stopping.value();
  EXPECT_EQ(defaults.monitor, Monitor::val_loss);
  EXPECT_EQ(defaults.patience, 0);
  EXPECT_DOUBLE_EQ(defaults.min_delta, 0.0);
  EXPECT_FALSE(defaults.restore_best);
  EXPECT_FALSE(defaults.baseline.has_value());
  EXPECT_EQ(defaults.start_from_epoch, 0);
  const EarlyStoppingSettings given =
      settings("  early_stopping monitor=loss patience=5 min_delta=0.01 restore_best=true baseline=0.3 start_from_epoch=4\n")
          .early_stopping.value();
  EXPECT_EQ(given.monitor, Monitor::loss);
  EXPECT_EQ(given.patience, 5);
  EXPECT_DOUBLE_EQ(given.min_delta, 0.01);
  EXPECT_TRUE(given.restore_best);
  EXPECT_EQ(given.baseline, 0.3);
  EXPECT_EQ(given.start_from_epoch, 4);
  EXPECT_EQ(settings("  validation 0.2\n  early_stopping val_accuracy\n").early_stopping->monitor, Monitor::val_accuracy);
}

TEST(TrainSettings, TheSummaryLineMentionsScheduleAndEarlyStopping) {
  EXPECT_EQ(describe(settings("  validation 0.1\n  schedule plateau factor=0.5 patience=3\n"
                              "  early_stopping patience=5 restore_best=true\n")),
            "crossentropy on labels, adam lr=0.001, batch 32, 1 epoch, validation 0.1, schedule plateau val_loss factor=0.5 patience=3 "
            "min_delta=0.0001, early_stopping val_loss patience=5 restore_best=true");
  EXPECT_EQ(describe(settings("  schedule step every=5 factor=0.5\n  early_stopping loss patience=2 min_delta=0.01 baseline=0.4 "
                              "start_from_epoch=3\n")),
            "crossentropy on labels, adam lr=0.001, batch 32, 1 epoch, schedule step every=5 factor=0.5, early_stopping loss patience=2 "
            "min_delta=0.01 baseline=0.4 start_from_epoch=3");
  EXPECT_EQ(describe(settings("  schedule exponential rate=0.9\n")),
            "crossentropy on labels, adam lr=0.001, batch 32, 1 epoch, schedule exponential rate=0.9");
  EXPECT_EQ(describe(settings("  schedule cosine min_lr=1e-5\n")),
            "crossentropy on labels, adam lr=0.001, batch 32, 1 epoch, schedule cosine min_lr=1e-05");
}

TEST(TrainSettings, ScheduleAndEarlyStoppingErrors) {
  EXPECT_EQ(settings_error("  schedule cosin\n"),
            "m.dsl:3:12: unknown schedule 'cosin'; did you mean 'cosine'? (schedules: step, exponential, cosine, plateau)");
  EXPECT_EQ(settings_error("  schedule factor=0.5\n"), "m.dsl:3:3: schedule needs a name (as in: schedule step every=5 factor=0.5)");
  EXPECT_EQ(settings_error("  schedule step\n"),
            "m.dsl:3:3: schedule needs every (an integer; usage: schedule step|exponential|cosine|plateau every=V [factor=V])");
  EXPECT_EQ(settings_error("  schedule step every=5 factor=1\n"), "m.dsl:3:32: schedule: factor must be in (0, 1), got 1");
  EXPECT_EQ(settings_error("  schedule step every=5 factor=0\n"), "m.dsl:3:32: schedule: factor must be in (0, 1), got 0");
  EXPECT_EQ(settings_error("  schedule step every=0\n"), "m.dsl:3:23: schedule: every must be at least 1, got 0");
  EXPECT_EQ(settings_error("  schedule exponential rate=1.5\n"), "m.dsl:3:29: schedule: rate must be in (0, 1), got 1.5");
  EXPECT_EQ(settings_error("  schedule cosine every=3\n"),
            "m.dsl:3:19: schedule has no setting 'every' (usage: schedule step|exponential|cosine|plateau [min_lr=V])");
  EXPECT_EQ(settings_error("  optimizer sgd lr=0.01\n  schedule cosine min_lr=0.1\n"),
            "m.dsl:4:3: schedule cosine: min_lr 0.1 is above the optimizer's lr 0.01");
  EXPECT_EQ(settings_error("  schedule plateau patience=-1\n"), "m.dsl:3:29: schedule: patience must be at least 0, got -1");
  EXPECT_EQ(settings_error("  schedule plateau\n"),
            "m.dsl:3:3: schedule plateau monitors val_loss, but nothing is validated; add 'validation 0.1' or monitor loss");
  EXPECT_EQ(settings_error("  early_stopping monitor=val_los\n"),
            "m.dsl:3:18: early_stopping: monitor expects val_loss|val_accuracy|loss|accuracy, got 'val_los'; did you mean 'val_loss'?");
  EXPECT_EQ(settings_error("  early_stopping loss patience=1.5\n"), "m.dsl:3:23: early_stopping: patience expects an integer, got '1.5'");
  EXPECT_EQ(settings_error("  early_stopping loss min_delta=-0.1\n"), "m.dsl:3:33: early_stopping: min_delta must be at least 0, got -0.1");
  EXPECT_EQ(settings_error("  loss mse\n  validation 0.1\n  early_stopping val_accuracy\n"),
            "m.dsl:5:3: early_stopping monitors val_accuracy, but a model whose target is its input has no accuracy; monitor val_loss");
  EXPECT_EQ(settings_error("  early_stopping loss\n  early_stopping loss\n"), "m.dsl:4:3: 'early_stopping' is already set at m.dsl:3:3");
}

TEST(TrainSettings, AugmentTransformsAreOffUnlessGiven) {
  const AugmentSettings none = compile_train_section({}, {}).augment;
  EXPECT_EQ(none.shift, 0);
  EXPECT_DOUBLE_EQ(none.rotate, 0.0);
  EXPECT_FALSE(none.flip_horizontal);
  EXPECT_FALSE(none.flip_vertical);
  EXPECT_DOUBLE_EQ(none.noise, 0.0);
  EXPECT_FALSE(none.any());
  EXPECT_FALSE(settings("  augment\n").augment.any());
  const AugmentSettings given = settings("  augment shift=2 rotate=10 flip_horizontal=true flip_vertical=false noise=0.01\n").augment;
  EXPECT_EQ(given.shift, 2);
  EXPECT_DOUBLE_EQ(given.rotate, 10.0);
  EXPECT_TRUE(given.flip_horizontal);
  EXPECT_FALSE(given.flip_vertical);
  EXPECT_DOUBLE_EQ(given.noise, 0.01);
  EXPECT_TRUE(given.any());
  EXPECT_DOUBLE_EQ(settings("  augment rotate=$rate\n").augment.rotate, 0.05);
  EXPECT_TRUE(settings("  augment flip_vertical=true\n").augment.flip_vertical);
  // A model whose target is its input may be augmented by moving its images, which moves its target alike.
  EXPECT_EQ(settings("  loss mse\n  augment shift=1 rotate=5\n").augment.shift, 1);
}

TEST(TrainSettings, TheSummaryLineMentionsTheTransformsInUse) {
  EXPECT_EQ(describe(settings("  augment shift=2 rotate=10 flip_horizontal=true flip_vertical=false noise=0.01\n")),
            "crossentropy on labels, adam lr=0.001, batch 32, 1 epoch, augment shift=2 rotate=10 flip_horizontal=true noise=0.01");
  EXPECT_EQ(describe(settings("  augment flip_vertical=true\n")),
            "crossentropy on labels, adam lr=0.001, batch 32, 1 epoch, augment flip_vertical=true");
  EXPECT_EQ(describe(settings("  augment rotate=0\n")), "crossentropy on labels, adam lr=0.001, batch 32, 1 epoch");
}

TEST(TrainSettings, AugmentErrors) {
  const std::string usage = "(usage: augment [shift=V] [rotate=V] [flip_horizontal=V] [flip_vertical=V] [noise=V])";
  EXPECT_EQ(settings_error("  augment noise=-0.01\n"), "m.dsl:3:17: augment: noise must be at least 0, got -0.01");
  EXPECT_EQ(settings_error("  augment rotate=190\n"), "m.dsl:3:18: augment: rotate must be in [0, 180], got 190");
  EXPECT_EQ(settings_error("  augment shift=-1\n"), "m.dsl:3:17: augment: shift must be at least 0, got -1");
  EXPECT_EQ(settings_error("  augment shift=1.5\n"), "m.dsl:3:11: augment: shift expects an integer, got '1.5'");
  EXPECT_EQ(settings_error("  augment rotat=10\n"), "m.dsl:3:11: augment has no setting 'rotat'; did you mean 'rotate'? " + usage);
  EXPECT_EQ(settings_error("  augment flip_horizontl=true\n"),
            "m.dsl:3:11: augment has no setting 'flip_horizontl'; did you mean 'flip_horizontal'? " + usage);
  EXPECT_EQ(settings_error("  augment 10\n"), "m.dsl:3:11: augment: unexpected '10' " + usage);
  EXPECT_EQ(settings_error("  augment flip_vertical=yes\n"), "m.dsl:3:11: augment: flip_vertical expects true or false, got 'yes'");
  EXPECT_EQ(settings_error("  loss bce\n  augment noise=0.01\n"),
            "m.dsl:4:3: augment: noise would be in the target too, since the target is the input itself; augment a model whose "
            "target is its input with shift, rotate and flips only");
  EXPECT_EQ(settings_error("  augment shift=1\n  augment rotate=5\n"), "m.dsl:4:3: 'augment' is already set at m.dsl:3:3");
}

TEST(TrainSettings, PrecisionIsFp32UnlessGivenAndFp16TakesTheLossScale) {
  EXPECT_EQ(compile_train_section({}, {}).precision, Precision::fp32);
  EXPECT_EQ(settings("  precision tf32\n").precision, Precision::tf32);
  EXPECT_EQ(settings("  precision bf16\n").precision, Precision::bf16);
  const TrainSettings keras_defaults = settings("  precision fp16\n");
  EXPECT_EQ(keras_defaults.precision, Precision::fp16);
  EXPECT_DOUBLE_EQ(keras_defaults.loss_scale.initial, 32768);
  EXPECT_EQ(keras_defaults.loss_scale.growth_steps, 2000);
  const TrainSettings given = settings("  precision fp16 initial_scale=1024 growth_steps=50\n");
  EXPECT_DOUBLE_EQ(given.loss_scale.initial, 1024);
  EXPECT_EQ(given.loss_scale.growth_steps, 50);
  EXPECT_NE(describe(settings("  precision bf16\n")).find(", precision bf16"), std::string::npos);
  EXPECT_EQ(describe(settings("  precision fp32\n")).find("precision"), std::string::npos);
}

TEST(TrainSettings, PrecisionErrors) {
  EXPECT_EQ(settings_error("  precision fp8\n"), "m.dsl:3:13: unknown precision 'fp8' (precisions: fp32, tf32, bf16, fp16)");
  EXPECT_EQ(settings_error("  precision bf16 initial_scale=1024\n"),
            "m.dsl:3:18: precision has no setting 'initial_scale' (usage: precision fp32|tf32|bf16|fp16)");
  EXPECT_EQ(settings_error("  precision fp16 initial_scale=0.5\n"), "m.dsl:3:32: precision: initial_scale must be in [1, 1e+30], got 0.5");
  EXPECT_EQ(settings_error("  precision fp16 growth_steps=0\n"),
            "m.dsl:3:31: precision: growth_steps must be in [1, 1000000000], got 0");
  EXPECT_EQ(settings_error("  precision\n"), "m.dsl:3:3: precision needs a name (as in: precision bf16)");
}

}  // namespace
}  // namespace gpufm
