#include "support/gradcheck.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "gpufm/graph.hpp"
#include "gpufm/philox.hpp"
#include "support/tensors.hpp"

namespace gpufm::test {

namespace {

// Uniform values in +-[gap, magnitude], from their own Philox stream.
std::vector<float> random_values(std::int64_t count, std::uint64_t seed, std::uint32_t stream, double gap, double magnitude) {
  std::vector<float> values(static_cast<std::size_t>(count));
  for (std::int64_t i = 0; i < count; ++i) {
    const float u = uniform_from_word(philox_word(seed, stream, 0, static_cast<std::uint64_t>(i)));
    const double size = gap + (magnitude - gap) * std::fmod(2.0 * u, 1.0);
    values[static_cast<std::size_t>(i)] = static_cast<float>(u < 0.5f ? -size : size);
  }
  return values;
}

class LayerUnderTest {
 public:
  LayerUnderTest(const LayerUnderTest&) = delete;
  LayerUnderTest& operator=(const LayerUnderTest&) = delete;
  LayerUnderTest(const std::string& statement, const Shape& input, const GradcheckOptions& options)
      : layer_(compile_layer_text(statement, input)), options_(options) {
    if (layer_.op->make_cpu_kernel == nullptr) throw std::logic_error("op '" + std::string(layer_.op->keyword) + "' has no CPU kernel");
    kernel_ = layer_.op->make_cpu_kernel(layer_);
    saved_ = layer_.op->saved_for_backward(layer_.attrs);
    const std::int64_t batch = options.batch;
    x_ = random_values(batch * input.elements(), options.seed, 1, options.input_gap, 1.0);
    y_.resize(static_cast<std::size_t>(batch * layer_.output.elements()));
    r_ = random_values(batch * layer_.output.elements(), options.seed, 2, 0.0, 1.0);
    for (std::size_t p = 0; p < layer_.params.size(); ++p) {
      const ParamSpec& spec = layer_.params[p];
      // Positive where a parameter must be (a variance); otherwise random, away from zero.
      params_.push_back(spec.trainable ? random_values(spec.elements(), options.seed, 10 + static_cast<std::uint32_t>(p), 0.1, 1.0)
                                       : std::vector<float>(static_cast<std::size_t>(spec.elements()), spec.init == Init::ones ? 1.0f : 0.0f));
      gradients_.emplace_back(static_cast<std::size_t>(spec.elements()), std::numeric_limits<float>::quiet_NaN());
    }
    workspace_.resize(kernel_->workspace_bytes(batch));
    context_ = StepContext{.training = options.training, .seed = options.seed, .numbers = &numbers_, .layer_index = 1,
                           .workspace = workspace_};
  }

  const Layer& layer() const { return layer_; }
  std::vector<float>& x() { return x_; }
  std::vector<std::vector<float>>& params() { return params_; }
  const std::vector<std::vector<float>>& gradients() const { return gradients_; }
  const std::vector<float>& input_gradient() const { return dx_; }

  // f = <forward(x), r>, in double.
  double projected_forward() {
    float* output = layer_.op->output_aliases_input ? x_.data() : y_.data();
    kernel_->forward(ForwardArgs{.input = x_.data(), .output = output, .batch = options_.batch, .params = data_pointers(params_),
                                 .context = &context_});
    double f = 0;
    for (std::size_t i = 0; i < r_.size(); ++i) f += static_cast<double>(output[i]) * r_[i];
    return f;
  }

  // Backward with output gradient r; tensors the op did not save are replaced by NaNs, so
  // reading them shows up as a mismatch.
  void backward() {
    projected_forward();
    std::vector<float> dy = r_;
    dx_.assign(x_.size(), std::numeric_limits<float>::quiet_NaN());
    const std::vector<float> poison_x(x_.size(), std::numeric_limits<float>::quiet_NaN());
    const std::vector<float> poison_y(y_.size(), std::numeric_limits<float>::quiet_NaN());
    const bool alias = layer_.op->output_aliases_input;
    std::vector<float*> gradient_pointers;
    for (std::size_t p = 0; p < gradients_.size(); ++p) {
      gradient_pointers.push_back(layer_.params[p].trainable ? gradients_[p].data() : nullptr);
    }
    std::vector<float*> value_pointers = data_pointers(params_);
    kernel_->backward(BackwardArgs{.input = saved_.input ? x_.data() : poison_x.data(),
                                   .output = saved_.output ? y_.data() : poison_y.data(),
                                   .output_gradient = dy.data(),
                                   .input_gradient = alias ? dy.data() : dx_.data(),
                                   .batch = options_.batch,
                                   .params = value_pointers,
                                   .param_gradients = gradient_pointers,
                                   .activation_folded_into_loss = false,
                                   .context = &context_});
    if (alias) dx_ = dy;
  }

 private:
  Layer layer_;
  GradcheckOptions options_;
  std::unique_ptr<LayerKernel> kernel_;
  SavedForBackward saved_;
  std::vector<float> x_, y_, r_, dx_;
  std::vector<std::vector<float>> params_, gradients_;
  std::vector<std::byte> workspace_;
  StepNumbers numbers_{.run_step = 3};  // context_ points here: the class is neither copied nor moved
  StepContext context_;
};

// Compares analytic against numeric derivatives for evenly spread elements of one tensor.
void check_tensor(LayerUnderTest& test, std::vector<float>& values, const std::vector<float>& analytic, const std::string& name,
                  const GradcheckOptions& options) {
  const std::size_t count = values.size();
  const std::size_t stride = std::max<std::size_t>(1, count / static_cast<std::size_t>(options.max_checks));
  for (std::size_t i = 0; i < count; i += stride) {
    const float original = values[i];
    values[i] = static_cast<float>(original + options.step);
    const double plus = test.projected_forward();
    values[i] = static_cast<float>(original - options.step);
    const double minus = test.projected_forward();
    values[i] = original;
    const double at = test.projected_forward();
    const double numeric = (plus - minus) / (2 * options.step);
    const double error = std::fabs(numeric - analytic[i]) / std::max({1.0, std::fabs(numeric), std::fabs(static_cast<double>(analytic[i]))});
    if (std::isfinite(analytic[i]) && error <= options.tolerance) continue;
    // A kink within the step (relu at 0, a max that changes hands): one-sided slopes disagree.
    const bool kink = std::fabs((plus - at) - (at - minus)) / options.step > options.tolerance * std::max(1.0, std::fabs(numeric));
    if (kink && std::isfinite(analytic[i])) continue;
    ADD_FAILURE() << test.layer().name << ": d f / d " << name << "[" << i << "]: analytic " << analytic[i] << ", numeric "
                  << numeric;
  }
}

}  // namespace

void expect_gradients_match(const std::string& statement, const Shape& input, const GradcheckOptions& options) {
  LayerUnderTest test(statement, input, options);
  test.backward();
  const std::vector<float> dx = test.input_gradient();
  const std::vector<std::vector<float>> gradients = test.gradients();
  check_tensor(test, test.x(), dx, "input", options);
  for (std::size_t p = 0; p < gradients.size(); ++p) {
    if (test.layer().params[p].trainable) check_tensor(test, test.params()[p], gradients[p], test.layer().params[p].name, options);
  }
}

}  // namespace gpufm::test
