#include "ops/window.hpp"

#include <algorithm>

namespace gpufm {

std::int64_t window_output(std::int64_t in, std::int64_t k, std::int64_t s, bool same) {
  return same ? (in + s - 1) / s : (in - k) / s + 1;
}

std::int64_t padding_before(std::int64_t in, std::int64_t k, std::int64_t s, std::int64_t out) {
  return std::max<std::int64_t>((out - 1) * s + k - in, 0) / 2;
}

Size2 pool_stride(const Attrs& attrs) { return attrs.given("stride") ? attrs.size2("stride") : attrs.size2("size"); }

Size2 window_output(std::string_view keyword, const Shape& input, Size2 kernel, Size2 stride, bool same) {
  expect_image(keyword, input);
  if (!same && (input.height() < kernel.h || input.width() < kernel.w)) {
    throw LayerError("input " + input.str() + " is smaller than the " + kernel.str() +
                     " window with padding 'valid'; use padding 'same' or a smaller window");
  }
  return {window_output(input.height(), kernel.h, stride.h, same), window_output(input.width(), kernel.w, stride.w, same)};
}

Shape pool_output_shape(std::string_view keyword, const Attrs& attrs, const Shape& input) {
  const Size2 out = window_output(keyword, input, attrs.size2("size"), pool_stride(attrs), attrs.choice("padding") == "same");
  return Shape{{out.h, out.w, input.channels()}};
}

ConvGeometry conv_geometry(const Attrs& attrs, const Shape& image, std::int64_t out_c) {
  const Size2 kernel = attrs.size2("kernel"), stride = attrs.size2("stride");
  const bool same = attrs.choice("padding") == "same";
  ConvGeometry g{.in_h = image.height(), .in_w = image.width(), .in_c = image.channels(),
                 .kernel_h = kernel.h, .kernel_w = kernel.w, .stride_h = stride.h, .stride_w = stride.w,
                 .out_h = window_output(image.height(), kernel.h, stride.h, same),
                 .out_w = window_output(image.width(), kernel.w, stride.w, same), .out_c = out_c};
  g.pad_top = padding_before(g.in_h, g.kernel_h, g.stride_h, g.out_h);
  g.pad_left = padding_before(g.in_w, g.kernel_w, g.stride_w, g.out_w);
  return g;
}

std::vector<ParamSpec> conv_params(const Attrs& attrs, std::int64_t leading, std::int64_t trailing) {
  const Size2 k = attrs.size2("kernel");
  return {
      {.name = "weight", .shape = {leading, k.h, k.w, trailing}, .init = weight_init(attrs),
       .fan_in = k.h * k.w * trailing, .fan_out = k.h * k.w * leading},
      {.name = "bias", .shape = {attrs.integer("filters")}},
  };
}

}  // namespace gpufm
