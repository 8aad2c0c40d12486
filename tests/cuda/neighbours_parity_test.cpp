// The nearest-neighbour search on the GPU against brute force and against the CPU backend: on
// small-integer features, where every distance is exact, the very lists the CPU gives (ties by
// lower index, lists merged across slices of the references); on float features, the same within
// rounding.
#include <gtest/gtest.h>

#include "cuda/cuda_test_support.hpp"
#include "support/neighbour_cases.hpp"

namespace gpufm::test {
namespace {

class CudaNeighbourParity : public CudaBackendTestWithParam<NeighbourCase> {};

TEST_P(CudaNeighbourParity, FindsWhatBruteForceAndTheCpuFind) {
  const NeighbourCase& c = GetParam();
  const NeighbourSet set = neighbour_set(c);
  const NeighbourLists on_gpu = find_neighbours(gpu(), set, c.dimension, c.k);
  const double tolerance = c.integer_valued ? 0 : 1e-5;
  EXPECT_TRUE(same_neighbours(on_gpu, brute_force_neighbours(set, c.dimension, c.k), set, c.dimension, c.k, tolerance));
  EXPECT_TRUE(same_neighbours(on_gpu, find_neighbours(cpu(), set, c.dimension, c.k), set, c.dimension, c.k, tolerance));
}

INSTANTIATE_TEST_SUITE_P(Cases, CudaNeighbourParity, testing::ValuesIn(neighbour_cases()),
                         [](const testing::TestParamInfo<NeighbourCase>& info) { return info.param.name; });

class CudaNeighbours : public CudaBackendTest {};

TEST_F(CudaNeighbours, KOutOfRangeIsRefused) {
  const NeighbourSet set = neighbour_set({"small", 2, 10, 3, 1, 2, true});
  EXPECT_THROW(find_neighbours(gpu(), set, 3, 65), std::invalid_argument);
}

}  // namespace
}  // namespace gpufm::test
