// The optimizers' update rules, element by element, shared by the CPU loop and the CUDA kernel.
// They follow Keras 3 (keras/src/optimizers/{sgd,adam,nadam,rmsprop}.py and base_optimizer.py):
// the same formulas, in the same float32 arithmetic on the variable. What is the same for every
// element of a step (bias corrections, Nadam's momentum schedule) is computed once on the host,
// in double, from the settings and the step number alone, so a resumed run continues exactly.
//
// Optimizer state is slots x count floats, zeroed before the first step (Keras creates its slot
// variables as zeros); slot k of element i is state[k * count + i].
#pragma once

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "gpufm/host_device.hpp"
#include "gpufm/train_settings.hpp"

namespace gpufm {

// sgd: the velocity, when momentum > 0. adam, nadam: the first and second moments.
// rmsprop: the mean square, and the momentum when momentum > 0.
inline std::int64_t optimizer_state_slots(const OptimizerSettings& settings) {
  switch (settings.kind) {
    case OptimizerKind::sgd: return settings.momentum > 0 ? 1 : 0;
    case OptimizerKind::adam:
    case OptimizerKind::nadam: return 2;
    case OptimizerKind::rmsprop: return settings.momentum > 0 ? 2 : 1;
  }
  return 0;
}

struct OptimizerScalars {
  OptimizerKind kind = OptimizerKind::adam;
  bool uses_momentum = false;  // sgd and rmsprop keep a momentum slot
  bool nesterov = false;
  float lr = 0;
  float decay_rate = 0;  // lr * weight_decay
  float momentum = 0;
  float beta1_complement = 0, beta2_complement = 0;  // 1 - beta1, 1 - beta2
  float rho = 0, rho_complement = 0;                 // rho, 1 - rho
  float epsilon = 0;
  float adam_step_size = 0;         // lr * sqrt(1 - beta2^t) / (1 - beta1^t)
  float nadam_momentum_weight = 0;  // u_{t+1} / (1 - u_1 ... u_{t+1})
  float nadam_gradient_weight = 0;  // (1 - u_t) / (1 - u_1 ... u_t)
  float velocity_correction = 0;    // 1 - beta2^t, which Nadam divides the second moment by
};

// Nadam's momentum schedule (Dozat 2015, as Keras' nadam.py): u_s = beta1 * (1 - 0.5 * 0.96^s).
inline double nadam_momentum(double beta1, std::int64_t step) {
  return beta1 * (1.0 - 0.5 * std::pow(0.96, static_cast<double>(step)));
}

// u_1 * ... * u_t, which Keras keeps as a variable (_u_product), recomputed from t. Once
// 0.5 * 0.96^s is below half a double ulp of 1 (s near 900) the factor 1 - 0.5 * 0.96^s is
// exactly 1, so the loop stops there and beta1^t supplies the rest of the product.
inline double nadam_momentum_product(double beta1, std::int64_t t) {
  double schedule_product = 1.0, decay_power = 1.0;
  for (std::int64_t s = 1; s <= t; ++s) {
    decay_power *= 0.96;
    const double factor = 1.0 - 0.5 * decay_power;
    if (factor == 1.0) break;
    schedule_product *= factor;
  }
  return schedule_product * std::pow(beta1, static_cast<double>(t));
}

// The scalars of step t (1-based, Keras' iterations + 1) at learning rate lr.
inline OptimizerScalars optimizer_scalars(const OptimizerSettings& settings, double lr, std::int64_t t) {
  if (t < 1) throw std::invalid_argument("optimizer steps count from 1");
  const double step = static_cast<double>(t);
  const double beta1_power = std::pow(settings.beta1, step), beta2_power = std::pow(settings.beta2, step);
  const double u_t = nadam_momentum(settings.beta1, t), u_next = nadam_momentum(settings.beta1, t + 1);
  const double u_product = nadam_momentum_product(settings.beta1, t);
  OptimizerScalars s;
  s.kind = settings.kind;
  s.uses_momentum = settings.momentum > 0;
  s.nesterov = settings.nesterov;
  s.lr = static_cast<float>(lr);
  s.decay_rate = static_cast<float>(lr * settings.weight_decay);
  s.momentum = static_cast<float>(settings.momentum);
  s.beta1_complement = static_cast<float>(1.0 - settings.beta1);
  s.beta2_complement = static_cast<float>(1.0 - settings.beta2);
  s.rho = static_cast<float>(settings.rho);
  s.rho_complement = static_cast<float>(1.0 - settings.rho);
  s.epsilon = static_cast<float>(settings.epsilon);
  s.adam_step_size = static_cast<float>(lr * std::sqrt(1.0 - beta2_power) / (1.0 - beta1_power));
  s.nadam_momentum_weight = static_cast<float>(u_next / (1.0 - u_product * u_next));
  s.nadam_gradient_weight = static_cast<float>((1.0 - u_t) / (1.0 - u_product));
  s.velocity_correction = static_cast<float>(1.0 - beta2_power);
  return s;
}

// The scalars of steps first_step, first_step + 1, ... (`rows` of them) at learning rate lr.
inline std::vector<OptimizerScalars> optimizer_scalars_from(const OptimizerSettings& settings, double lr, std::int64_t first_step,
                                                            std::int64_t rows) {
  std::vector<OptimizerScalars> table;
  for (std::int64_t k = 0; k < rows; ++k) table.push_back(optimizer_scalars(settings, lr, first_step + k));
  return table;
}

// Adam's and Nadam's moment updates: m += (g - m)(1 - beta1), v += (g^2 - v)(1 - beta2).
GPUFM_HOST_DEVICE inline void update_moments(const OptimizerScalars& s, float g, float& m, float& v) {
  m += (g - m) * s.beta1_complement;
  v += (g * g - v) * s.beta2_complement;
}

// One step for element i: w, its gradient g, and its slots in state.
GPUFM_HOST_DEVICE inline void update_element(const OptimizerScalars& s, float& w, float g, float* state, std::int64_t i,
                                             std::int64_t count) {
  // Keras' decoupled weight decay (base_optimizer.py _apply_weight_decay): w -= w * wd * lr,
  // before the optimizer's own update, on every trainable variable.
  if (s.decay_rate != 0.0f) w -= w * s.decay_rate;
  switch (s.kind) {
    case OptimizerKind::sgd: {
      if (!s.uses_momentum) {
        w -= g * s.lr;
        return;
      }
      float& velocity = state[i];
      velocity = velocity * s.momentum - g * s.lr;
      // Nesterov looks ahead along the new velocity: w += momentum * velocity - lr * g.
      w += s.nesterov ? velocity * s.momentum - g * s.lr : velocity;
      return;
    }
    case OptimizerKind::adam: {
      float& m = state[i];
      float& v = state[count + i];
      update_moments(s, g, m, v);
      // Epsilon outside the root, as Keras' adam.py.
      w -= m * s.adam_step_size / (sqrtf(v) + s.epsilon);
      return;
    }
    case OptimizerKind::nadam: {
      float& m = state[i];
      float& v = state[count + i];
      update_moments(s, g, m, v);
      // Epsilon outside the root of the bias-corrected second moment, as Keras' nadam.py.
      const float m_hat = s.nadam_momentum_weight * m + s.nadam_gradient_weight * g;
      w -= m_hat * s.lr / (sqrtf(v / s.velocity_correction) + s.epsilon);
      return;
    }
    case OptimizerKind::rmsprop: {
      float& mean_square = state[i];
      mean_square = s.rho * mean_square + s.rho_complement * (g * g);
      // Epsilon inside the root, as Keras' rmsprop.py.
      const float increment = s.lr * g / sqrtf(mean_square + s.epsilon);
      if (!s.uses_momentum) {
        w -= increment;
        return;
      }
      float& momentum = state[count + i];
      momentum = s.momentum * momentum + increment;
      w -= momentum;
      return;
    }
  }
}

}  // namespace gpufm
