// What `gpufm summary` prints: a Keras-style layer table (layer, output shape, parameters),
// the totals Keras reports, the planned memory and the training recipe.
#pragma once

#include <string>

#include "gpufm/graph.hpp"
#include "gpufm/plan.hpp"

namespace gpufm {

std::string format_summary(const Graph& graph, const Plan& plan);

}  // namespace gpufm
