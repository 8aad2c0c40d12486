// One query's k nearest references as both backends keep them while searching
// (Backend::nearest_neighbours): a list sorted by (distance, reference index), empty entries
// (index -1, distance +infinity) last. The CPU's selection and the GPU's kernel share this code,
// so that they order and break ties alike.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

#include "gpufm/backend.hpp"
#include "gpufm/host_device.hpp"

namespace gpufm {

// The most neighbours a search keeps per query: the GPU keeps a list this long per thread.
inline constexpr std::int64_t most_neighbours = 64;

// The distance matrix of one slice of the references (queries x slice) stays within this many
// bytes, however many references there are.
inline constexpr std::int64_t neighbour_slice_bytes = std::int64_t{256} << 20;

// How many references a slice holds for `query_count` queries.
inline std::int64_t neighbour_slice(std::int64_t query_count, std::int64_t reference_count) {
  const std::int64_t fitting = neighbour_slice_bytes / (std::max<std::int64_t>(query_count, 1) * std::int64_t{sizeof(float)});
  return std::max<std::int64_t>(1, std::min(fitting, reference_count));
}

// Whether a candidate comes before another: nearer, or as near with a lower index.
GPUFM_HOST_DEVICE inline bool nearer(float distance, std::int32_t index, float other_distance, std::int32_t other_index) {
  return distance < other_distance || (distance == other_distance && index < other_index);
}

// |row|^2, the squares added in index order, each rounded first (rounded_product): the same float
// on both backends.
GPUFM_HOST_DEVICE inline float squared_norm(const float* row, std::int64_t dimension) {
  float sum = 0;
  for (std::int64_t d = 0; d < dimension; ++d) sum += rounded_product(row[d], row[d]);
  return sum;
}

// |q - r|^2 from |q|^2, |r|^2 and q.r. Written with additions only, so that no compiler fuses a
// multiply into them and both backends round alike; rounding can take it below zero for
// near-equal vectors, hence the floor (which keeps a NaN a NaN).
GPUFM_HOST_DEVICE inline float squared_distance(float query_norm, float reference_norm, float dot) {
  const float distance = (query_norm + reference_norm) - (dot + dot);
  return distance < 0 ? 0.0f : distance;
}

GPUFM_HOST_DEVICE inline void clear_neighbours(float* distances, std::int32_t* indices, std::int64_t k) {
  for (std::int64_t j = 0; j < k; ++j) {
    distances[j] = std::numeric_limits<float>::infinity();
    indices[j] = -1;
  }
}

// Puts a candidate in its place in the sorted list of k, dropping the last, when it comes before
// the last; a distance that is not finite never does.
GPUFM_HOST_DEVICE inline void insert_neighbour(float* distances, std::int32_t* indices, std::int64_t k, float distance,
                                               std::int32_t index) {
  if (!(distance < std::numeric_limits<float>::infinity()) || !nearer(distance, index, distances[k - 1], indices[k - 1])) return;
  std::int64_t place = k - 1;
  for (; place > 0 && nearer(distance, index, distances[place - 1], indices[place - 1]); --place) {
    distances[place] = distances[place - 1];
    indices[place] = indices[place - 1];
  }
  distances[place] = distance;
  indices[place] = index;
}

// The sizes a search takes: std::invalid_argument naming the first that is out of range.
inline void check_neighbour_args(const NeighbourArgs& args) {
  const auto out_of_range = [](const char* what, std::int64_t value, std::int64_t low, std::int64_t high) {
    if (value < low || value > high) {
      throw std::invalid_argument(std::string("nearest_neighbours: ") + what + " " + std::to_string(value) + " is not in [" +
                                  std::to_string(low) + ", " + std::to_string(high) + "]");
    }
  };
  constexpr std::int64_t most_rows = std::numeric_limits<std::int32_t>::max();
  out_of_range("k", args.k, 1, most_neighbours);
  out_of_range("query_count", args.query_count, 0, most_rows);
  out_of_range("reference_count", args.reference_count, 0, most_rows);
  out_of_range("dimension", args.dimension, 1, most_rows);
}

}  // namespace gpufm
