// batchnorm: normalises each channel (the last axis) with the batch's statistics in training
// and the moving averages in inference; Keras' defaults (momentum 0.99, epsilon 1e-3).
// Parameters as PyTorch names them: weight (gamma) and bias (beta) are trained, running_mean
// and running_var are not (Keras counts them, as non-trainable parameters).
#include <algorithm>
#include <array>
#include <vector>

#include "gpufm/graph.hpp"
#include "gpufm/op.hpp"
#include "ops/batchnorm_rules.hpp"

namespace gpufm {

namespace {

constexpr ArgSpec batchnorm_signature[] = {
    {.name = "momentum", .kind = ArgKind::real, .default_value = "0.99", .positional = false, .min = 0, .max = 1, .max_open = true},
    {.name = "epsilon", .kind = ArgKind::real, .default_value = "0.001", .positional = false, .min = 1e-12},
};

std::vector<ParamSpec> batchnorm_params(const Attrs&, const Shape& input) {
  const std::int64_t c = input.channels();
  return {
      {.name = "weight", .shape = {c}, .init = Init::ones},
      {.name = "bias", .shape = {c}},
      {.name = "running_mean", .shape = {c}, .trainable = false},
      {.name = "running_var", .shape = {c}, .trainable = false, .init = Init::ones},
  };
}

// Per-channel sums of two terms over the rows (n, h, w) of a channels-last tensor, in double.
// The rows are cut into a fixed number of blocks, summed in parallel and then added in block
// order, so the sums do not depend on the number of threads.
class ChannelSums {
 public:
  explicit ChannelSums(std::int64_t channels) : channels_(channels), partials_(static_cast<std::size_t>(blocks * 2 * channels)) {}

  // term(element index, channel) gives the pair to add; writes the sums to first and second.
  template <class Term>
  void sum(std::int64_t rows, Term term, double* first, double* second) {
#pragma omp parallel for schedule(static)
    for (std::int64_t b = 0; b < blocks; ++b) {
      double* partial = partials_.data() + b * 2 * channels_;
      std::fill_n(partial, 2 * channels_, 0.0);
      for (std::int64_t row = rows * b / blocks; row < rows * (b + 1) / blocks; ++row) {
        for (std::int64_t c = 0; c < channels_; ++c) {
          const std::array<double, 2> terms = term(row * channels_ + c, c);
          partial[2 * c] += terms[0];
          partial[2 * c + 1] += terms[1];
        }
      }
    }
    std::fill_n(first, channels_, 0.0);
    std::fill_n(second, channels_, 0.0);
    for (std::int64_t b = 0; b < blocks; ++b) {
      const double* partial = partials_.data() + b * 2 * channels_;
      for (std::int64_t c = 0; c < channels_; ++c) {
        first[c] += partial[2 * c];
        second[c] += partial[2 * c + 1];
      }
    }
  }

 private:
  static constexpr std::int64_t blocks = 64;
  std::int64_t channels_;
  std::vector<double> partials_;
};

// Keeps, from forward to backward, the statistics it normalised with: the batch's in training,
// the running ones in inference.
class BatchNormKernel final : public LayerKernel {
 public:
  explicit BatchNormKernel(const Layer& layer)
      : channels_(layer.input.channels()),
        pixels_(layer.input.elements() / channels_),
        momentum_(layer.attrs.real("momentum")),
        epsilon_(layer.attrs.real("epsilon")),
        sums_(channels_),
        batch_mean_(static_cast<std::size_t>(channels_)),
        batch_variance_(static_cast<std::size_t>(channels_)),
        dy_sum_(static_cast<std::size_t>(channels_)),
        dy_x_hat_sum_(static_cast<std::size_t>(channels_)),
        mean_(static_cast<std::size_t>(channels_)),
        inverse_std_(static_cast<std::size_t>(channels_)) {}

  void forward(const ForwardArgs& args) override {
    float* running_mean = args.params[2];
    float* running_var = args.params[3];
    normalized_with_batch_ = args.context->training && !args.context->frozen;
    if (normalized_with_batch_) {
      measure_batch(args.input, args.batch * pixels_);
      for (std::int64_t c = 0; c < channels_; ++c) {
        running_mean[c] = batchnorm::moving_average(running_mean[c], batch_mean_[c], momentum_);
        running_var[c] = batchnorm::moving_average(running_var[c], batch_variance_[c], momentum_);
      }
    } else {
      for (std::int64_t c = 0; c < channels_; ++c) {
        mean_[c] = running_mean[c];
        inverse_std_[c] = batchnorm::inverse_std(running_var[c], epsilon_);
      }
    }
    const float* gamma = args.params[0];
    const float* beta = args.params[1];
    const std::int64_t count = args.batch * pixels_ * channels_;
#pragma omp parallel for schedule(static)
    for (std::int64_t i = 0; i < count; ++i) {
      const std::int64_t c = i % channels_;
      args.output[i] = batchnorm::output(args.input[i], gamma[c], beta[c], mean_[c], inverse_std_[c]);
    }
  }

  void backward(const BackwardArgs& args) override {
    const std::int64_t rows = args.batch * pixels_;
    const float* x = args.input;
    const float* dy = args.output_gradient;
    sums_.sum(
        rows,
        [&](std::int64_t i, std::int64_t c) -> std::array<double, 2> {
          return {dy[i], dy[i] * static_cast<double>(batchnorm::x_hat(x[i], mean_[c], inverse_std_[c]))};
        },
        dy_sum_.data(), dy_x_hat_sum_.data());
    for (std::int64_t c = 0; c < channels_; ++c) {
      args.param_gradients[0][c] = static_cast<float>(dy_x_hat_sum_[c]);
      args.param_gradients[1][c] = static_cast<float>(dy_sum_[c]);
    }
    if (args.input_gradient == nullptr) return;
    const float* gamma = args.params[0];
    const std::int64_t count = rows * channels_;
    if (!normalized_with_batch_) {
#pragma omp parallel for schedule(static)
      for (std::int64_t i = 0; i < count; ++i) {
        args.input_gradient[i] = batchnorm::input_gradient(dy[i], gamma[i % channels_], inverse_std_[i % channels_]);
      }
      return;
    }
#pragma omp parallel for schedule(static)
    for (std::int64_t i = 0; i < count; ++i) {
      const std::int64_t c = i % channels_;
      args.input_gradient[i] = batchnorm::input_gradient_through_batch(dy[i], batchnorm::x_hat(x[i], mean_[c], inverse_std_[c]), gamma[c],
                                                                       inverse_std_[c], dy_sum_[c], dy_x_hat_sum_[c],
                                                                       static_cast<double>(rows));
    }
  }

 private:
  // The batch's mean and biased variance per channel.
  void measure_batch(const float* x, std::int64_t rows) {
    sums_.sum(
        rows, [&](std::int64_t i, std::int64_t) -> std::array<double, 2> { return {x[i], static_cast<double>(x[i]) * x[i]}; },
        batch_mean_.data(), batch_variance_.data());
    for (std::int64_t c = 0; c < channels_; ++c) {
      const batchnorm::Moments moments = batchnorm::batch_moments(batch_mean_[c], batch_variance_[c], static_cast<double>(rows));
      batch_mean_[c] = moments.mean;
      batch_variance_[c] = moments.variance;
      mean_[c] = static_cast<float>(moments.mean);
      inverse_std_[c] = batchnorm::inverse_std(moments.variance, epsilon_);
    }
  }

  std::int64_t channels_, pixels_;
  double momentum_, epsilon_;
  ChannelSums sums_;
  std::vector<double> batch_mean_, batch_variance_, dy_sum_, dy_x_hat_sum_;  // per channel
  std::vector<float> mean_, inverse_std_;  // per channel: what forward normalised with
  bool normalized_with_batch_ = false;
};

}  // namespace

extern const OpDef batchnorm_op = {
    .keyword = "batchnorm",
    .display_name = "BatchNormalization",
    .signature = batchnorm_signature,
    .output_shape = [](const Attrs&, const Shape& input) { return input; },
    .params = batchnorm_params,
    .saved_for_backward = [](const Attrs&) { return SavedForBackward{.input = true, .output = false}; },
    // Forward: the batch's mean and variance, then normalise, scale and shift; backward: the
    // scale's and shift's gradients, then the input's through the batch statistics.
    .flops = [](const Attrs&, const Shape&, const Shape& output) {
      LayerFlops flops = per_element_flops(output, 7, 6);
      flops.backward_params = 4 * static_cast<double>(output.elements());
      return flops;
    },
    .make_cpu_kernel = [](const Layer& layer) -> std::unique_ptr<LayerKernel> { return std::make_unique<BatchNormKernel>(layer); },
};

}  // namespace gpufm
