// conv2d_transpose: the gradient of a convolution used as a layer (an upsampling convolution).
// The weight is stored (in_c, kh, kw, filters): the filter of the convolution it transposes.
#include <algorithm>

#include "ops/window.hpp"

namespace gpufm {

namespace {

// Keras' rule (deconv_output_length): "valid" gives in * s + max(k - s, 0), which is
// (in - 1) * s + k when the kernel is at least the stride; "same" gives in * s.
std::int64_t transposed_length(std::int64_t in, std::int64_t k, std::int64_t s, bool same) {
  return same ? in * s : in * s + std::max<std::int64_t>(k - s, 0);
}

Shape conv2d_transpose_output_shape(const Attrs& attrs, const Shape& input) {
  expect_image("conv2d_transpose", input);
  check_activation_settings(attrs);
  const Size2 k = attrs.size2("kernel"), s = attrs.size2("stride");
  const bool same = attrs.choice("padding") == "same";
  return Shape{{transposed_length(input.height(), k.h, s.h, same), transposed_length(input.width(), k.w, s.w, same),
                attrs.integer("filters")}};
}

std::vector<ParamSpec> conv2d_transpose_params(const Attrs& attrs, const Shape& input) {
  const Size2 k = attrs.size2("kernel");
  const std::int64_t filters = attrs.integer("filters"), in_c = input.channels();
  return {
      {.name = "weight", .shape = {in_c, k.h, k.w, filters}, .init = Init::glorot_uniform,
       .fan_in = k.h * k.w * filters, .fan_out = k.h * k.w * in_c},
      {.name = "bias", .shape = {filters}},
  };
}

}  // namespace

extern const OpDef conv2d_transpose_op = {
    .keyword = "conv2d_transpose",
    .display_name = "Conv2DTranspose",
    .signature = conv_signature,
    .output_shape = conv2d_transpose_output_shape,
    .params = conv2d_transpose_params,
    .saved_for_backward = saves_input_and_activation_output,
};

}  // namespace gpufm
