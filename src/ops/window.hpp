// Sliding-window geometry and settings shared by the convolutions and the poolings.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "gpufm/op.hpp"

namespace gpufm {

inline constexpr std::string_view padding_names[] = {"valid", "same"};

// Output length along one axis, as Keras computes it: "valid" fits whole windows,
// floor((in - k) / s) + 1, and needs in >= k; "same" pads to ceil(in / s).
std::int64_t window_output(std::int64_t in, std::int64_t k, std::int64_t s, bool same);

// Keras' padding before the first element along one axis: the windows need
// max((out - 1) * s + k - in, 0) in all, the smaller half before. "valid" comes out zero.
std::int64_t padding_before(std::int64_t in, std::int64_t k, std::int64_t s, std::int64_t out);

// A pool's stride: the one given, else the window's size.
Size2 pool_stride(const Attrs& attrs);

// Both spatial axes of an image; the error names the layer keyword and the sizes.
Size2 window_output(std::string_view keyword, const Shape& input, Size2 kernel, Size2 stride, bool same);

// The settings of conv2d and conv2d_transpose.
inline constexpr ArgSpec conv_signature[] = {
    {.name = "filters", .kind = ArgKind::integer, .min = 1, .max = max_layer_size},
    {.name = "kernel", .kind = ArgKind::size2, .min = 1, .max = max_layer_size},
    {.name = "padding", .kind = ArgKind::choice, .default_value = "valid", .choices = padding_names},
    {.name = "activation", .kind = ArgKind::choice, .default_value = "linear", .choices = activation_names},
    {.name = "stride", .kind = ArgKind::size2, .default_value = "1", .positional = false, .min = 1, .max = max_layer_size},
    {.name = "alpha", .kind = ArgKind::real, .default_value = "0.3", .positional = false, .min = 0},
    weight_init_setting,
};

// The settings of maxpool and avgpool: the window (2 for 2x2), the stride (the window's size
// unless given) and the padding.
inline constexpr ArgSpec pool_signature[] = {
    {.name = "size", .kind = ArgKind::size2, .default_value = "2", .min = 1, .max = max_layer_size},
    {.name = "padding", .kind = ArgKind::choice, .default_value = "valid", .choices = padding_names},
    {.name = "stride", .kind = ArgKind::size2, .optional = true, .positional = false, .min = 1, .max = max_layer_size},
};

Shape pool_output_shape(std::string_view keyword, const Attrs& attrs, const Shape& input);

// The geometry of one convolution, as both backends run it.
struct ConvGeometry {
  std::int64_t in_h = 0, in_w = 0, in_c = 0;
  std::int64_t kernel_h = 0, kernel_w = 0;
  std::int64_t stride_h = 1, stride_w = 1;
  // Zeros before the first row and column; those after the last follow from out_h and out_w.
  std::int64_t pad_top = 0, pad_left = 0;
  std::int64_t out_h = 0, out_w = 0, out_c = 0;

  std::int64_t patch_size() const { return kernel_h * kernel_w * in_c; }  // a row of the im2col matrix
  std::int64_t positions() const { return out_h * out_w; }
};

// The convolution a conv2d or conv2d_transpose statement names (kernel, stride, padding) over
// `image`, producing out_c channels. Padding follows TensorFlow: "same" pads
// max((out - 1) * s + k - in, 0) in all, the smaller half before.
ConvGeometry conv_geometry(const Attrs& attrs, const Shape& image, std::int64_t out_c);

// A convolution's weight, stored (leading, kh, kw, trailing), and its bias, one per filter.
// A conv2d's filters lead; a conv2d_transpose's input channels do, since its weight is the
// filter of the conv2d it transposes. As in Keras, the fan-in counts the trailing channels.
std::vector<ParamSpec> conv_params(const Attrs& attrs, std::int64_t leading, std::int64_t trailing);

}  // namespace gpufm
