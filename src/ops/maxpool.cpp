// maxpool: the largest value of each window, per channel.
#include "ops/window.hpp"

namespace gpufm {

extern const OpDef maxpool_op = {
    .keyword = "maxpool",
    .display_name = "MaxPooling2D",
    .signature = pool_signature,
    .output_shape = [](const Attrs& attrs, const Shape& input) { return pool_output_shape("maxpool", attrs, input); },
    .params = no_params,
    // Backward routes each gradient to the window's maximum, found again from input and output.
    .saved_for_backward = [](const Attrs&) { return SavedForBackward{.input = true, .output = true}; },
};

}  // namespace gpufm
