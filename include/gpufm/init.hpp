// Initial parameter values, drawn as Keras' initializers define them, from Philox: a seed gives
// the same model on every machine and every run.
#pragma once

#include <cstdint>
#include <span>

#include "gpufm/graph.hpp"
#include "gpufm/plan.hpp"

namespace gpufm {

// Fills the flat parameter buffer (plan.param_elements floats) by each parameter's ParamSpec,
// and zeroes the alignment gaps between slots. Parameter k of plan.params draws from Philox
// stream k with the element's index as the counter, so a tensor's values depend only on the
// seed, its place in plan.params and its spec.
void initialize_params(const Graph& graph, const Plan& plan, std::span<float> flat_params, std::uint64_t seed);

}  // namespace gpufm
