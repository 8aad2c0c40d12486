// conv2d: a 2-D convolution over an NHWC image. The weight is stored (filters, kh, kw, in_c),
// the filter layout cuDNN uses for NHWC tensors.
#include "ops/window.hpp"

namespace gpufm {

namespace {

Shape conv2d_output_shape(const Attrs& attrs, const Shape& input) {
  check_activation_settings(attrs);
  const Size2 out = window_output("conv2d", input, attrs.size2("kernel"), attrs.size2("stride"),
                                  attrs.choice("padding") == "same");
  return Shape{{out.h, out.w, attrs.integer("filters")}};
}

std::vector<ParamSpec> conv2d_params(const Attrs& attrs, const Shape& input) {
  const Size2 k = attrs.size2("kernel");
  const std::int64_t filters = attrs.integer("filters"), in_c = input.channels();
  return {
      {.name = "weight", .shape = {filters, k.h, k.w, in_c}, .init = Init::glorot_uniform,
       .fan_in = k.h * k.w * in_c, .fan_out = k.h * k.w * filters},
      {.name = "bias", .shape = {filters}},
  };
}

}  // namespace

extern const OpDef conv2d_op = {
    .keyword = "conv2d",
    .display_name = "Conv2D",
    .signature = conv_signature,
    .output_shape = conv2d_output_shape,
    .params = conv2d_params,
    .saved_for_backward = saves_input_and_activation_output,
};

}  // namespace gpufm
