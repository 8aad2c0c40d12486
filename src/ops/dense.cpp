// dense: y = activation(x W^T + b) on a flat input. The weight is stored (units, in), as
// PyTorch's Linear stores it.
#include "gpufm/op.hpp"

namespace gpufm {

namespace {

constexpr ArgSpec dense_signature[] = {
    {.name = "units", .kind = ArgKind::integer, .min = 1},
    {.name = "activation", .kind = ArgKind::choice, .default_value = "linear", .choices = activation_names},
    {.name = "alpha", .kind = ArgKind::real, .default_value = "0.3", .positional = false, .min = 0},
};

Shape dense_output_shape(const Attrs& attrs, const Shape& input) {
  expect_flat("dense", input);
  check_activation_settings(attrs);
  return Shape{{attrs.integer("units")}};
}

std::vector<ParamSpec> dense_params(const Attrs& attrs, const Shape& input) {
  const std::int64_t units = attrs.integer("units"), in = input.elements();
  return {
      {.name = "weight", .shape = {units, in}, .init = Init::glorot_uniform, .fan_in = in, .fan_out = units},
      {.name = "bias", .shape = {units}},
  };
}

}  // namespace

extern const OpDef dense_op = {
    .keyword = "dense",
    .display_name = "Dense",
    .signature = dense_signature,
    .output_shape = dense_output_shape,
    .params = dense_params,
    .saved_for_backward = saves_input_and_activation_output,
};

}  // namespace gpufm
