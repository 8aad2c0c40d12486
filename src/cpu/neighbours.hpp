// The nearest-neighbour search on the CPU (Backend::nearest_neighbours): the distances' q.r term
// as OpenBLAS GEMMs over slices of the references, then each query's list kept by insertion.
#pragma once

#include "gpufm/backend.hpp"

namespace gpufm::cpu {

void cpu_nearest_neighbours(const NeighbourArgs& args);

}  // namespace gpufm::cpu
