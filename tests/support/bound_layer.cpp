#include "support/bound_layer.hpp"

#include <cstring>

#include "support/tensors.hpp"

namespace gpufm::test {

bool identical(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

bool identical(const Gradients& a, const Gradients& b) {
  if (!identical(a.input, b.input) || a.params.size() != b.params.size()) return false;
  for (std::size_t p = 0; p < a.params.size(); ++p) {
    if (!identical(a.params[p], b.params[p])) return false;
  }
  return true;
}

BoundLayer::BoundLayer(const std::string& statement, const Shape& input, std::int64_t batch)
    : layer_(compile_layer_text(statement, input)), kernel_(layer_.op->make_cpu_kernel(layer_)), batch_(batch) {
  x_ = uniform_values(static_cast<std::size_t>(batch * input.elements()), -1.0, 1.0, 1, 1);
  for (std::size_t p = 0; p < layer_.params.size(); ++p) {
    params_.push_back(uniform_values(static_cast<std::size_t>(layer_.params[p].elements()), -1.0, 1.0, 1, 10 + static_cast<std::uint32_t>(p)));
  }
  workspace_.resize(kernel_->workspace_bytes(batch));
  context_ = StepContext{.training = true, .workspace = workspace_};
}

std::vector<float> BoundLayer::forward() {
  std::vector<float> y(static_cast<std::size_t>(batch_ * layer_.output.elements()));
  std::vector<float*> values = data_pointers(params_);
  kernel_->forward(ForwardArgs{.input = x_.data(), .output = y.data(), .batch = batch_, .params = values, .context = &context_});
  return y;
}

Gradients BoundLayer::backward(const std::vector<float>& y, std::vector<float> dy, bool activation_folded_into_loss, float garbage) {
  Gradients gradients{.input = std::vector<float>(x_.size(), garbage), .params = {}};
  for (const std::vector<float>& param : params_) gradients.params.emplace_back(param.size(), garbage);
  std::vector<float*> values = data_pointers(params_);
  std::vector<float*> gradient_pointers = data_pointers(gradients.params);
  kernel_->backward(BackwardArgs{.input = x_.data(),
                                 .output = y.data(),
                                 .output_gradient = dy.data(),
                                 .input_gradient = gradients.input.data(),
                                 .batch = batch_,
                                 .params = values,
                                 .param_gradients = gradient_pointers,
                                 .activation_folded_into_loss = activation_folded_into_loss,
                                 .context = &context_});
  return gradients;
}

}  // namespace gpufm::test
