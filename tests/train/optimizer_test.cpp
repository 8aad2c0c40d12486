// The optimizer step against Keras 3's rules (keras/src/optimizers/{sgd,adam,nadam,rmsprop}.py,
// base_optimizer.py), written out here in double, one element at a time, apart from the code
// under test.
#include "cpu/optimizer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <vector>

#include "gpufm/optimizer_math.hpp"

namespace gpufm {
namespace {

// Float updates against double models: a few float roundings per step.
void expect_close(float actual, double expected) { EXPECT_NEAR(actual, expected, 2e-6 * std::max(1.0, std::abs(expected))); }

// Runs optimizer step t over params with their state on the CPU.
void step(const OptimizerSettings& settings, std::int64_t t, std::vector<float>& params, const std::vector<float>& gradients,
          std::vector<float>& state) {
  const StepNumbers numbers{.epoch_step = 1};
  const OptimizerScalars scalars = optimizer_scalars(settings, settings.lr, t);
  cpu::cpu_optimizer_step(OptimizerStepArgs{.numbers = &numbers,
                                            .scalars = &scalars,
                                            .params = params.data(),
                                            .gradients = gradients.data(),
                                            .state = state.data(),
                                            .count = static_cast<std::int64_t>(params.size())});
}

// One element under Keras: its weight, its slot variables (in slot order) and Nadam's
// _u_product, which Keras keeps once per optimizer.
struct KerasElement {
  double w = 0;
  double slot[2] = {0, 0};
  double u_product = 1;
};

using KerasUpdate = void (*)(const OptimizerSettings& s, KerasElement& e, double g, std::int64_t t);

void keras_sgd(const OptimizerSettings& s, KerasElement& e, double g, std::int64_t) {
  if (s.momentum == 0) {
    e.w -= s.lr * g;
    return;
  }
  double& velocity = e.slot[0];
  velocity = s.momentum * velocity - s.lr * g;
  e.w += s.nesterov ? s.momentum * velocity - s.lr * g : velocity;
}

void keras_adam(const OptimizerSettings& s, KerasElement& e, double g, std::int64_t t) {
  double& m = e.slot[0];
  double& v = e.slot[1];
  const double alpha = s.lr * std::sqrt(1 - std::pow(s.beta2, t)) / (1 - std::pow(s.beta1, t));
  m += (g - m) * (1 - s.beta1);
  v += (g * g - v) * (1 - s.beta2);
  e.w -= alpha * m / (std::sqrt(v) + s.epsilon);
}

double nadam_u(const OptimizerSettings& s, std::int64_t step) { return s.beta1 * (1 - 0.5 * std::pow(0.96, step)); }

void keras_nadam(const OptimizerSettings& s, KerasElement& e, double g, std::int64_t t) {
  double& m = e.slot[0];
  double& v = e.slot[1];
  e.u_product *= nadam_u(s, t);  // Nadam._backend_update_step, before update_step
  const double u_t = nadam_u(s, t), u_next = nadam_u(s, t + 1);
  const double u_product_next = e.u_product * u_next;
  m += (g - m) * (1 - s.beta1);
  v += (g * g - v) * (1 - s.beta2);
  const double m_hat = u_next * m / (1 - u_product_next) + (1 - u_t) * g / (1 - e.u_product);
  const double v_hat = v / (1 - std::pow(s.beta2, t));
  e.w -= m_hat * s.lr / (std::sqrt(v_hat) + s.epsilon);
}

void keras_rmsprop(const OptimizerSettings& s, KerasElement& e, double g, std::int64_t) {
  double& velocity = e.slot[0];
  velocity = s.rho * velocity + (1 - s.rho) * g * g;
  const double increment = s.lr * g / std::sqrt(velocity + s.epsilon);
  if (s.momentum == 0) {
    e.w -= increment;
    return;
  }
  double& momentum = e.slot[1];
  momentum = s.momentum * momentum + increment;
  e.w -= momentum;
}

// Steps first_step, first_step + 1, ... with a different gradient each time, checking every
// weight and every state slot after each step against the Keras model, decoupled weight decay
// included (base_optimizer.py: w -= w * weight_decay * lr before update_step).
void expect_steps_follow_keras(const OptimizerSettings& settings, KerasUpdate keras_update, std::int64_t first_step = 1) {
  const std::vector<std::vector<float>> gradients = {
      {0.3f, -0.7f, 1.2f}, {-0.1f, 0.4f, 0.9f}, {0.8f, -0.2f, -1.1f}, {0.05f, 0.6f, -0.3f}};
  std::vector<float> params = {0.5f, -1.5f, 2.0f};
  const auto count = static_cast<std::int64_t>(params.size());
  const std::int64_t slots = optimizer_state_slots(settings);
  std::vector<float> state(static_cast<std::size_t>(slots * count), 0.0f);
  std::vector<KerasElement> keras(params.size());
  for (std::size_t i = 0; i < params.size(); ++i) {
    keras[i].w = params[i];
    for (std::int64_t s = 1; s < first_step; ++s) keras[i].u_product *= nadam_u(settings, s);
  }
  for (std::size_t n = 0; n < gradients.size(); ++n) {
    const std::int64_t t = first_step + static_cast<std::int64_t>(n);
    step(settings, t, params, gradients[n], state);
    for (std::size_t i = 0; i < params.size(); ++i) {
      SCOPED_TRACE("step " + std::to_string(t) + ", element " + std::to_string(i));
      keras[i].w -= keras[i].w * settings.weight_decay * settings.lr;
      keras_update(settings, keras[i], gradients[n][i], t);
      expect_close(params[i], keras[i].w);
      for (std::int64_t k = 0; k < slots; ++k) expect_close(state[static_cast<std::size_t>(k * count) + i], keras[i].slot[k]);
    }
  }
}

OptimizerSettings sgd(double momentum, bool nesterov) {
  return OptimizerSettings{.kind = OptimizerKind::sgd, .lr = 0.1, .momentum = momentum, .nesterov = nesterov};
}

// Hyperparameters away from the defaults, and an epsilon large enough that where it goes
// (inside or outside the root) changes the result well beyond float rounding.
OptimizerSettings adaptive(OptimizerKind kind) {
  return OptimizerSettings{.kind = kind, .lr = 0.05, .beta1 = 0.8, .beta2 = 0.95, .rho = 0.7, .epsilon = 0.01};
}

TEST(OptimizerStateSlots, OneForEachSlotVariableKerasCreates) {
  EXPECT_EQ(optimizer_state_slots(sgd(0.0, false)), 0);
  EXPECT_EQ(optimizer_state_slots(sgd(0.9, false)), 1);
  EXPECT_EQ(optimizer_state_slots(sgd(0.9, true)), 1);
  EXPECT_EQ(optimizer_state_slots(adaptive(OptimizerKind::adam)), 2);
  EXPECT_EQ(optimizer_state_slots(adaptive(OptimizerKind::nadam)), 2);
  OptimizerSettings rmsprop = adaptive(OptimizerKind::rmsprop);
  EXPECT_EQ(optimizer_state_slots(rmsprop), 1);
  rmsprop.momentum = 0.5;
  EXPECT_EQ(optimizer_state_slots(rmsprop), 2);
}

TEST(OptimizerStep, SgdOneStepByHand) {
  std::vector<float> params = {1.0f}, state;
  step(sgd(0.0, false), 1, params, {0.5f}, state);
  EXPECT_FLOAT_EQ(params[0], 0.95f);  // 1 - 0.1 * 0.5
  OptimizerSettings decayed = sgd(0.0, false);
  decayed.weight_decay = 0.1;
  params = {1.0f};
  step(decayed, 1, params, {0.5f}, state);
  EXPECT_FLOAT_EQ(params[0], 0.94f);  // 1 - 1 * 0.1 * 0.1, then - 0.1 * 0.5
}

TEST(OptimizerStep, SgdFollowsKerasOverSteps) {
  for (const OptimizerSettings& settings : {sgd(0.0, false), sgd(0.9, false), sgd(0.9, true)}) {
    SCOPED_TRACE("momentum " + std::to_string(settings.momentum) + (settings.nesterov ? ", nesterov" : ""));
    expect_steps_follow_keras(settings, keras_sgd);
  }
}

// On step 1 the bias corrections cancel: m = (1 - b1) g, v = (1 - b2) g^2, so Adam moves by
// lr * g * sqrt(1 - b2) / (sqrt(1 - b2) |g| + eps), about lr in the direction of -g.
TEST(OptimizerStep, AdamFirstStepByHand) {
  const OptimizerSettings settings = adaptive(OptimizerKind::adam);
  std::vector<float> params = {2.0f}, state(2, 0.0f);
  step(settings, 1, params, {-0.4f}, state);
  const double root = std::sqrt(1 - 0.95);
  expect_close(params[0], 2.0 + 0.05 * 0.4 * root / (root * 0.4 + 0.01));
}

TEST(OptimizerStep, AdamFollowsKerasOverSteps) {
  OptimizerSettings settings = adaptive(OptimizerKind::adam);
  expect_steps_follow_keras(settings, keras_adam);
  settings.weight_decay = 0.5;
  SCOPED_TRACE("weight decay 0.5");
  expect_steps_follow_keras(settings, keras_adam);
}

TEST(OptimizerStep, NadamFollowsKerasOverSteps) { expect_steps_follow_keras(adaptive(OptimizerKind::nadam), keras_nadam); }

// Far into training, the momentum schedule's product over every step so far still matches
// Keras' running product.
TEST(OptimizerStep, NadamLateStepsUseTheWholeMomentumProduct) {
  OptimizerSettings settings = adaptive(OptimizerKind::nadam);
  settings.beta1 = 0.999;  // keeps u_1 ... u_t from vanishing, so the product still matters
  expect_steps_follow_keras(settings, keras_nadam, 2000);
}

// The example in Keras' RMSprop docstring: lr 0.1, loss var^2 / 2 (gradient var), from 10.
TEST(OptimizerStep, RmspropMatchesKerasDocstringExample) {
  const OptimizerSettings settings{.kind = OptimizerKind::rmsprop, .lr = 0.1};
  std::vector<float> params = {10.0f}, state(1, 0.0f);
  step(settings, 1, params, {10.0f}, state);
  EXPECT_NEAR(params[0], 9.683772f, 1e-6);
}

TEST(OptimizerStep, RmspropFollowsKerasOverSteps) {
  OptimizerSettings settings = adaptive(OptimizerKind::rmsprop);
  expect_steps_follow_keras(settings, keras_rmsprop);
  settings.momentum = 0.6;
  SCOPED_TRACE("momentum 0.6");
  expect_steps_follow_keras(settings, keras_rmsprop);
}

TEST(OptimizerStep, AStepWhoseLossWasNotFiniteLeavesParametersAndStateAsTheyWere) {
  const OptimizerSettings settings = adaptive(OptimizerKind::adam);
  const std::vector<float> initial = {0.5f, -1.0f, 2.0f};
  std::vector<float> params = initial, state(6, 0.25f);
  const std::vector<float> gradients = {0.1f, std::numeric_limits<float>::infinity(), -0.3f};
  MetricSums sums;
  record_nonfinite_step(sums, 3);
  const std::vector<OptimizerScalars> scalars = optimizer_scalars_from(settings, settings.lr, 1, 4);
  const auto step_with = [&](std::int64_t t) {
    const StepNumbers numbers{.epoch_step = t};
    cpu::cpu_optimizer_step(OptimizerStepArgs{.numbers = &numbers, .scalars = scalars.data(), .params = params.data(),
                                              .gradients = gradients.data(), .state = state.data(), .count = 3, .sums = &sums});
  };
  step_with(3);
  EXPECT_EQ(params, initial);
  EXPECT_EQ(state, std::vector<float>(6, 0.25f));
  step_with(4);
  EXPECT_NE(params[0], initial[0]);
}

// Keras' optimizer counts the steps it applied (LossScaleOptimizer's `iterations` are the inner
// optimizer's, which a skipped step leaves as they were): the step after the epoch's only skipped
// one is Adam's first, whose bias corrections make it move each weight by nearly lr.
TEST(OptimizerStep, AStepAfterASkippedOneHasTheBiasCorrectionsOfTheStepsApplied) {
  const OptimizerSettings settings{.kind = OptimizerKind::adam, .lr = 0.01};
  const std::vector<float> initial = {0.5f, -1.0f, 2.0f}, gradients = {0.1f, -2.0f, 0.003f};
  const std::vector<OptimizerScalars> scalars = optimizer_scalars_from(settings, settings.lr, 1, 2);
  std::vector<float> first_step = initial, first_state(6, 0.0f);
  step(settings, 1, first_step, gradients, first_state);
  for (std::size_t i = 0; i < initial.size(); ++i) EXPECT_NEAR(std::abs(first_step[i] - initial[i]), 0.01, 1e-4) << i;

  MetricSums after_overflow{.overflow_steps = 1}, after_nonfinite_loss;
  record_nonfinite_step(after_nonfinite_loss, 1);
  for (MetricSums* sums : {&after_overflow, &after_nonfinite_loss}) {
    std::vector<float> params = initial, state(6, 0.0f);
    const StepNumbers second{.epoch_step = 2};
    cpu::cpu_optimizer_step(OptimizerStepArgs{.numbers = &second, .scalars = scalars.data(), .params = params.data(),
                                              .gradients = gradients.data(), .state = state.data(), .count = 3, .sums = sums});
    EXPECT_EQ(params, first_step);
    EXPECT_EQ(state, first_state);
  }
}

// In fp16 a non-finite loss overflows its scaled gradients too: the step is skipped once, counted
// once (as a non-finite loss), still halves the scale, and the next step is Adam's first.
TEST(OptimizerStep, AnFp16StepWhoseLossWasNotFiniteIsCountedOnce) {
  const OptimizerSettings settings{.kind = OptimizerKind::adam, .lr = 0.01};
  const std::vector<float> initial = {0.5f, -1.0f, 2.0f}, finite = {0.1f, -2.0f, 0.003f};
  const std::vector<float> overflowed = {std::numeric_limits<float>::quiet_NaN(), 1.0f, 1.0f};
  const std::vector<OptimizerScalars> scalars = optimizer_scalars_from(settings, settings.lr, 1, 2);
  std::vector<float> params = initial, state(6, 0.0f);
  MetricSums sums;
  record_nonfinite_step(sums, 1);  // as the loss records it
  LossScale scale{.scale = 1024};
  for (const std::int64_t step : {1, 2}) {
    const std::vector<float>& gradients = step == 1 ? overflowed : finite;
    const StepNumbers numbers{.epoch_step = step};
    cpu::cpu_find_overflow({.gradients = gradients.data(), .first = 0, .count = 3, .loss_scale = &scale});
    cpu::cpu_optimizer_step(OptimizerStepArgs{.numbers = &numbers, .scalars = scalars.data(), .params = params.data(),
                                              .gradients = gradients.data(), .state = state.data(), .count = 3, .sums = &sums,
                                              .loss_scale = &scale, .growth_steps = 1000});
    if (step == 1) {
      EXPECT_EQ(params, initial);
      EXPECT_EQ(scale.scale, 512);
    }
  }
  EXPECT_EQ(sums.nonfinite_steps, 1);
  EXPECT_EQ(sums.overflow_steps, 0) << "one skipped step counted twice";
  std::vector<float> first_step = initial, first_state(6, 0.0f), unscaled(3);
  for (std::size_t i = 0; i < 3; ++i) unscaled[i] = finite[i] / 512;
  step(settings, 1, first_step, unscaled, first_state);
  EXPECT_EQ(params, first_step);
}

TEST(OptimizerStep, StepsCountFromOne) {
  EXPECT_THROW(optimizer_scalars(adaptive(OptimizerKind::adam), 0.05, 0), std::invalid_argument);
}

}  // namespace
}  // namespace gpufm
