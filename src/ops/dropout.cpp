// dropout: inverted dropout in training (kept values scaled by 1 / (1 - rate)), identity in
// inference. Its mask comes from a counter-based RNG, so backward regenerates it rather than
// keeping it.
#include "gpufm/op.hpp"

namespace gpufm {

namespace {

constexpr ArgSpec dropout_signature[] = {
    {.name = "rate", .kind = ArgKind::real, .min = 0, .max = 1, .max_open = true},
};

}  // namespace

extern const OpDef dropout_op = {
    .keyword = "dropout",
    .display_name = "Dropout",
    .signature = dropout_signature,
    .output_shape = [](const Attrs&, const Shape& input) { return input; },
    .params = no_params,
    .saved_for_backward = saves_nothing,
};

}  // namespace gpufm
