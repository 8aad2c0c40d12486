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

TEST(TrainSettings, ErrorsPointAtTheStatement) {
  EXPECT_EQ(settings_error("  batchsize 3\n"),
            "m.dsl:3:3: unknown train setting 'batchsize' (settings: loss, target, optimizer, batch, epochs, validation)");
  EXPECT_EQ(settings_error("  epoch 3\n"),
            "m.dsl:3:3: unknown train setting 'epoch'; did you mean 'epochs'? (settings: loss, target, optimizer, batch, epochs, validation)");
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

}  // namespace
}  // namespace gpufm
