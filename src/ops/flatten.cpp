// flatten: an image as a flat vector in (h, w, c) order, c fastest, as Keras flattens. A view:
// no data moves.
#include "ops/view_kernel.hpp"
#include "gpufm/op.hpp"

namespace gpufm {

extern const OpDef flatten_op = {
    .keyword = "flatten",
    .display_name = "Flatten",
    .signature = {},
    .output_shape = [](const Attrs&, const Shape& input) { return Shape{{input.elements()}}; },
    .params = no_params,
    .saved_for_backward = saves_nothing,
    .flops = no_flops,
    .make_cpu_kernel = make_view_kernel,
    .output_aliases_input = true,
};

}  // namespace gpufm
