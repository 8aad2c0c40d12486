#include "cpu/neighbours.hpp"

#include <algorithm>
#include <vector>

#include "cpu/blas.hpp"
#include "gpufm/neighbour_list.hpp"

namespace gpufm::cpu {

namespace {

std::vector<float> squared_norms(const float* rows, std::int64_t count, std::int64_t dimension) {
  std::vector<float> norms(static_cast<std::size_t>(count));
#pragma omp parallel for schedule(static)
  for (std::int64_t r = 0; r < count; ++r) norms[static_cast<std::size_t>(r)] = squared_norm(rows + r * dimension, dimension);
  return norms;
}

}  // namespace

void cpu_nearest_neighbours(const NeighbourArgs& args) {
  check_neighbour_args(args);
  const std::int64_t k = args.k, dimension = args.dimension;
  for (std::int64_t q = 0; q < args.query_count; ++q) clear_neighbours(args.distances + q * k, args.indices + q * k, k);
  if (args.query_count == 0 || args.reference_count == 0) return;
  const std::vector<float> query_norms = squared_norms(args.queries, args.query_count, dimension);
  const std::vector<float> reference_norms = squared_norms(args.references, args.reference_count, dimension);
  const std::int64_t slice = neighbour_slice(args.query_count, args.reference_count);
  std::vector<float> dots(static_cast<std::size_t>(args.query_count * slice));
  // Slices in reference order, each query's candidates in reference order within a slice.
  for (std::int64_t first = 0; first < args.reference_count; first += slice) {
    const std::int64_t width = std::min(slice, args.reference_count - first);
    gemm(args.queries, Stored::as_is, args.references + first * dimension, Stored::transposed, dots.data(), args.query_count, width,
         dimension);
#pragma omp parallel for schedule(static)
    for (std::int64_t q = 0; q < args.query_count; ++q) {
      const float* query_dots = dots.data() + q * width;
      for (std::int64_t c = 0; c < width; ++c) {
        const std::int64_t r = first + c;
        if (args.reference_classes[r] != args.wanted_classes[q]) continue;
        insert_neighbour(args.distances + q * k, args.indices + q * k, k,
                         squared_distance(query_norms[static_cast<std::size_t>(q)], reference_norms[static_cast<std::size_t>(r)], query_dots[c]),
                         static_cast<std::int32_t>(r));
      }
    }
  }
}

}  // namespace gpufm::cpu
