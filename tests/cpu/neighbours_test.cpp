// The nearest-neighbour search on the CPU backend against brute force on synthetic features: the
// same lists, ties broken by lower index; fewer references of a class than k pad the list; a
// reference with non-finite features is never a neighbour; k out of range is refused.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "gpufm/neighbour_list.hpp"
#include "support/expect_error.hpp"
#include "support/neighbour_cases.hpp"

namespace gpufm::test {
namespace {

class CpuNeighbours : public testing::TestWithParam<NeighbourCase> {};

TEST_P(CpuNeighbours, FindsWhatBruteForceFinds) {
  const NeighbourCase& c = GetParam();
  const NeighbourSet set = neighbour_set(c);
  const auto backend = make_cpu_backend();
  const NeighbourLists found = find_neighbours(*backend, set, c.dimension, c.k);
  EXPECT_TRUE(same_neighbours(found, brute_force_neighbours(set, c.dimension, c.k), set, c.dimension, c.k, c.integer_valued ? 0 : 1e-5));
}

INSTANTIATE_TEST_SUITE_P(Cases, CpuNeighbours, testing::ValuesIn(neighbour_cases()),
                         [](const testing::TestParamInfo<NeighbourCase>& info) { return info.param.name; });

// Class 0 has two references, class 2 none: their lists end early, padded with index -1.
TEST(Neighbours, AClassWithFewerThanKReferencesGivesFewer) {
  const NeighbourSet set{.queries = {0, 0, 0, 0, 0, 0},
                         .references = {3, 0, 1, 1, 2, 2, 1, 0, 5, 5},
                         .wanted_classes = {0, 1, 2},
                         .reference_classes = {0, 1, 0, 1, 1}};
  const auto backend = make_cpu_backend();
  const NeighbourLists found = find_neighbours(*backend, set, 2, 3);
  const float none = std::numeric_limits<float>::infinity();
  EXPECT_EQ(found.indices, (std::vector<std::int32_t>{2, 0, -1, 3, 1, 4, -1, -1, -1}));
  EXPECT_EQ(found.distances, (std::vector<float>{8, 9, none, 1, 2, 50, none, none, none}));
  EXPECT_TRUE(same_neighbours(found, brute_force_neighbours(set, 2, 3), set, 2, 3, 0));
}

TEST(Neighbours, AReferenceWithNonFiniteFeaturesIsNeverANeighbour) {
  const float nan = std::numeric_limits<float>::quiet_NaN(), infinity = std::numeric_limits<float>::infinity();
  const NeighbourSet set{.queries = {0, 0}, .references = {nan, 0, 0, infinity, 4, 4, 1, 1}, .wanted_classes = {0},
                         .reference_classes = {0, 0, 0, 0}};
  const auto backend = make_cpu_backend();
  const NeighbourLists found = find_neighbours(*backend, set, 2, 4);
  EXPECT_EQ(found.indices, (std::vector<std::int32_t>{3, 2, -1, -1}));
  EXPECT_EQ(found.distances, (std::vector<float>{2, 32, infinity, infinity}));
}

TEST(Neighbours, KOutOfRangeIsRefused) {
  const NeighbourSet set = neighbour_set({"small", 2, 10, 3, 1, 2, true});
  const auto backend = make_cpu_backend();
  for (const std::int64_t k : {std::int64_t{0}, most_neighbours + 1}) {
    const std::string message = error_of<std::invalid_argument>([&] { find_neighbours(*backend, set, 3, k); });
    expect_contains(message, {"nearest_neighbours: k " + std::to_string(k) + " is not in [1, 64]"});
  }
}

}  // namespace
}  // namespace gpufm::test
