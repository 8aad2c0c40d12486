// batchnorm: normalises each channel (the last axis) with the batch's statistics in training
// and the moving averages in inference; Keras' defaults (momentum 0.99, epsilon 1e-3).
// Parameters as PyTorch names them: weight (gamma) and bias (beta) are trained, running_mean
// and running_var are not (Keras counts them, as non-trainable parameters).
#include "gpufm/op.hpp"

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

}  // namespace

extern const OpDef batchnorm_op = {
    .keyword = "batchnorm",
    .display_name = "BatchNormalization",
    .signature = batchnorm_signature,
    .output_shape = [](const Attrs&, const Shape& input) { return input; },
    .params = batchnorm_params,
    .saved_for_backward = [](const Attrs&) { return SavedForBackward{.input = true, .output = false}; },
};

}  // namespace gpufm
