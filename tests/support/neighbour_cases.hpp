// Synthetic feature spaces for the nearest-neighbour search (Backend::nearest_neighbours), and the
// brute-force answer every backend is checked against.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "gpufm/explain.hpp"

namespace gpufm::test {

struct NeighbourCase {
  std::string name;
  std::int64_t query_count = 0, reference_count = 0, dimension = 0, k = 0, classes = 0;
  // Small integers (-2 to 2): every product and sum is exact in float, so distances are exact,
  // ties are real and the answer is exactly the brute force's. Otherwise uniform in [-1, 1).
  bool integer_valued = true;
};

// From one of every size up to lists of most_neighbours, ties by the thousand, and more queries
// than fit one slice's distance matrix (neighbour_slice), so that lists are merged across slices.
std::vector<NeighbourCase> neighbour_cases();

struct NeighbourSet {
  std::vector<float> queries, references;  // rows of `dimension` values
  std::vector<std::int32_t> wanted_classes, reference_classes;
};

NeighbourSet neighbour_set(const NeighbourCase& c, std::uint64_t seed = 7);

NeighbourLists find_neighbours(Backend& backend, const NeighbourSet& set, std::int64_t dimension, std::int64_t k);

// Distances in double from the definition, every reference of the wanted class sorted by
// (distance, index), the first k, padded as the search pads.
NeighbourLists brute_force_neighbours(const NeighbourSet& set, std::int64_t dimension, std::int64_t k);

// Whether `found` is `expected`: with tolerance 0 the same indices and distances; otherwise each
// distance within tolerance x (|q|^2 + |r|^2 + 1) of the expected one (rounding may then swap
// near ties), and each index's true distance its listed one, of the wanted class, none twice.
testing::AssertionResult same_neighbours(const NeighbourLists& found, const NeighbourLists& expected, const NeighbourSet& set,
                                         std::int64_t dimension, std::int64_t k, double tolerance);

}  // namespace gpufm::test
