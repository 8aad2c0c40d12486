// reshape: the same values under another shape (28x28x1, 7x7x16, 784). A view: no data moves.
#include "ops/view_kernel.hpp"
#include "gpufm/op.hpp"
#include "gpufm/format.hpp"

namespace gpufm {

namespace {

constexpr ArgSpec reshape_signature[] = {
    {.name = "shape", .kind = ArgKind::dims, .min = 1, .max = max_layer_size},
};

Shape reshape_output_shape(const Attrs& attrs, const Shape& input) {
  const Shape output{attrs.dims("shape")};
  if (!output.is_flat() && !output.is_image()) {
    throw LayerError("reshape takes HxWxC (as 7x7x16) or a length (as 784), got " + output.str());
  }
  if (output.elements() != input.elements()) {
    throw LayerError("reshape to " + output.str() + " holds " + with_commas(output.elements()) + " values, but its input " +
                     input.str() + " has " + with_commas(input.elements()));
  }
  return output;
}

}  // namespace

extern const OpDef reshape_op = {
    .keyword = "reshape",
    .display_name = "Reshape",
    .signature = reshape_signature,
    .output_shape = reshape_output_shape,
    .params = no_params,
    .saved_for_backward = saves_nothing,
    .flops = no_flops,
    .make_cpu_kernel = make_view_kernel,
    .output_aliases_input = true,
};

}  // namespace gpufm
