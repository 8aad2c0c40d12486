// upsample: nearest-neighbour upsampling, each pixel repeated size.h x size.w times.
#include "gpufm/op.hpp"

namespace gpufm {

namespace {

constexpr ArgSpec upsample_signature[] = {
    {.name = "size", .kind = ArgKind::size2, .default_value = "2", .min = 1},
};

Shape upsample_output_shape(const Attrs& attrs, const Shape& input) {
  expect_image("upsample", input);
  const Size2 size = attrs.size2("size");
  return Shape{{input.height() * size.h, input.width() * size.w, input.channels()}};
}

}  // namespace

extern const OpDef upsample_op = {
    .keyword = "upsample",
    .display_name = "UpSampling2D",
    .signature = upsample_signature,
    .output_shape = upsample_output_shape,
    .params = no_params,
    .saved_for_backward = saves_nothing,
};

}  // namespace gpufm
