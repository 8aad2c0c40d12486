// avgpool: the mean of each window, per channel.
#include "ops/window.hpp"

namespace gpufm {

extern const OpDef avgpool_op = {
    .keyword = "avgpool",
    .display_name = "AveragePooling2D",
    .signature = pool_signature,
    .output_shape = [](const Attrs& attrs, const Shape& input) { return pool_output_shape("avgpool", attrs, input); },
    .params = no_params,
    .saved_for_backward = saves_nothing,
};

}  // namespace gpufm
