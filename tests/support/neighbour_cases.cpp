#include "support/neighbour_cases.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "gpufm/neighbour_list.hpp"
#include "gpufm/philox.hpp"

namespace gpufm::test {

namespace {

std::vector<float> feature_values(std::size_t count, bool integer_valued, std::uint64_t seed, std::uint32_t stream) {
  std::vector<float> values(count);
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint32_t word = philox_word(seed, stream, 0, i);
    values[i] = integer_valued ? static_cast<float>(static_cast<int>(word % 5) - 2)
                               : static_cast<float>(2 * uniform_from_word(word) - 1);
  }
  return values;
}

std::vector<std::int32_t> class_values(std::int64_t count, std::int64_t classes, std::uint64_t seed, std::uint32_t stream) {
  std::vector<std::int32_t> values(static_cast<std::size_t>(count));
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<std::int32_t>(philox_word(seed, stream, 0, i) % classes);
  return values;
}

const float* row(const std::vector<float>& values, std::int64_t r, std::int64_t dimension) { return values.data() + r * dimension; }

double exact_distance(const float* a, const float* b, std::int64_t dimension) {
  double sum = 0;
  for (std::int64_t d = 0; d < dimension; ++d) sum += (static_cast<double>(a[d]) - b[d]) * (static_cast<double>(a[d]) - b[d]);
  return sum;
}

double squared_norm(const float* a, std::int64_t dimension) {
  double sum = 0;
  for (std::int64_t d = 0; d < dimension; ++d) sum += static_cast<double>(a[d]) * a[d];
  return sum;
}

}  // namespace

std::vector<NeighbourCase> neighbour_cases() {
  const std::int64_t beyond_one_slice = neighbour_slice_bytes / (1000 * std::int64_t{sizeof(float)}) + 1;
  return {
      {"one_of_one", 1, 1, 1, 1, 1, true},
      {"ties", 7, 60, 3, 5, 3, true},
      {"more_queries", 33, 1000, 17, 10, 4, true},
      {"most_neighbours", 5, 300, 64, 64, 2, true},
      {"float_values", 20, 2000, 32, 8, 5, false},
      {"no_references", 3, 0, 4, 2, 2, true},
      {"slices", beyond_one_slice, 1000, 2, 3, 2, true},
  };
}

NeighbourSet neighbour_set(const NeighbourCase& c, std::uint64_t seed) {
  return NeighbourSet{feature_values(static_cast<std::size_t>(c.query_count * c.dimension), c.integer_valued, seed, 1),
                      feature_values(static_cast<std::size_t>(c.reference_count * c.dimension), c.integer_valued, seed, 2),
                      class_values(c.query_count, c.classes, seed, 3), class_values(c.reference_count, c.classes, seed, 4)};
}

NeighbourLists find_neighbours(Backend& backend, const NeighbourSet& set, std::int64_t dimension, std::int64_t k) {
  return gpufm::find_neighbours(backend, set.queries, set.wanted_classes, set.references, set.reference_classes, dimension, k);
}

NeighbourLists brute_force_neighbours(const NeighbourSet& set, std::int64_t dimension, std::int64_t k) {
  NeighbourLists lists;
  for (std::size_t q = 0; q < set.wanted_classes.size(); ++q) {
    std::vector<std::pair<double, std::int32_t>> candidates;
    for (std::size_t r = 0; r < set.reference_classes.size(); ++r) {
      if (set.reference_classes[r] != set.wanted_classes[q]) continue;
      candidates.emplace_back(exact_distance(row(set.queries, static_cast<std::int64_t>(q), dimension),
                                             row(set.references, static_cast<std::int64_t>(r), dimension), dimension),
                              static_cast<std::int32_t>(r));
    }
    std::sort(candidates.begin(), candidates.end());
    for (std::int64_t j = 0; j < k; ++j) {
      const bool found = j < static_cast<std::int64_t>(candidates.size());
      lists.indices.push_back(found ? candidates[static_cast<std::size_t>(j)].second : -1);
      lists.distances.push_back(found ? static_cast<float>(candidates[static_cast<std::size_t>(j)].first)
                                      : std::numeric_limits<float>::infinity());
    }
  }
  return lists;
}

testing::AssertionResult same_neighbours(const NeighbourLists& found, const NeighbourLists& expected, const NeighbourSet& set,
                                         std::int64_t dimension, std::int64_t k, double tolerance) {
  if (found.indices.size() != expected.indices.size() || found.distances.size() != expected.distances.size()) {
    return testing::AssertionFailure() << found.indices.size() << " entries found, " << expected.indices.size() << " expected";
  }
  if (tolerance == 0) {
    for (std::size_t j = 0; j < found.indices.size(); ++j) {
      if (found.indices[j] != expected.indices[j] || found.distances[j] != expected.distances[j]) {
        return testing::AssertionFailure() << "query " << j / static_cast<std::size_t>(k) << ", neighbour " << j % static_cast<std::size_t>(k)
                                           << ": found " << found.indices[j] << " at " << found.distances[j] << ", expected "
                                           << expected.indices[j] << " at " << expected.distances[j];
      }
    }
    return testing::AssertionSuccess();
  }
  for (std::size_t q = 0; q < set.wanted_classes.size(); ++q) {
    const float* query = row(set.queries, static_cast<std::int64_t>(q), dimension);
    std::set<std::int32_t> seen;
    for (std::size_t j = q * static_cast<std::size_t>(k); j < (q + 1) * static_cast<std::size_t>(k); ++j) {
      const std::int32_t index = found.indices[j];
      if (index != expected.indices[j] && (index < 0 || expected.indices[j] < 0)) {
        return testing::AssertionFailure() << "query " << q << ": found " << index << ", expected " << expected.indices[j];
      }
      if (index < 0) continue;
      const float* reference = row(set.references, index, dimension);
      const double allowed = tolerance * (squared_norm(query, dimension) + squared_norm(reference, dimension) + 1);
      const double true_distance = exact_distance(query, reference, dimension);
      if (set.reference_classes[static_cast<std::size_t>(index)] != set.wanted_classes[q] || !seen.insert(index).second ||
          std::fabs(found.distances[j] - true_distance) > allowed || std::fabs(found.distances[j] - expected.distances[j]) > allowed) {
        return testing::AssertionFailure() << "query " << q << ": found " << index << " at " << found.distances[j] << " (truly "
                                           << true_distance << "), expected " << expected.indices[j] << " at " << expected.distances[j];
      }
    }
  }
  return testing::AssertionSuccess();
}

}  // namespace gpufm::test
