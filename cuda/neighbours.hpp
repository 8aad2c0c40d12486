// The nearest-neighbour search on the GPU (Backend::nearest_neighbours): the distances' q.r term
// as cuBLAS GEMMs over slices of the references, and a kernel keeping each query's k nearest
// across the slices.
#pragma once

#include "cuda/context.hpp"
#include "gpufm/backend.hpp"

namespace gpufm::cuda {

// Returns once the lists are written: its scratch memory goes with it.
void cuda_nearest_neighbours(CudaContext& context, const NeighbourArgs& args);

}  // namespace gpufm::cuda
