#include "cuda/neighbours.hpp"

#include "cuda/blas.hpp"
#include "cuda/launch.cuh"
#include "gpufm/neighbour_list.hpp"

namespace gpufm::cuda {

namespace {

// A block per query; each thread keeps a list of most_neighbours at most, merged at the end.
constexpr int select_threads = 64;
constexpr int warp_size = 32;
constexpr unsigned full_warp = 0xffffffffu;

__global__ void squared_norms(const float* rows, std::int64_t count, std::int64_t dimension, float* norms) {
  GPUFM_GRID_STRIDE_LOOP(r, count) { norms[r] = squared_norm(rows + r * dimension, dimension); }
}

// Every entry of the lists empty.
__global__ void clear_lists(float* distances, std::int32_t* indices, std::int64_t entries) {
  GPUFM_GRID_STRIDE_LOOP(i, entries) { clear_neighbours(distances + i, indices + i, 1); }
}

// The k nearest of the slice of references [first, first + width), whose dot products with the
// queries are `dots` (queries x width), and of the lists the slices before left in args.indices
// and args.distances. Each thread keeps its own list of its share of the candidates; then k
// rounds each take the nearest head of the threads' lists, found by shuffles within each warp and
// the warps' winners in shared memory.
__global__ void select_nearest(NeighbourArgs args, const float* query_norms, const float* reference_norms, const float* dots,
                               std::int64_t first, std::int64_t width) {
  const std::int64_t q = blockIdx.x, k = args.k;
  float* kept_distances = args.distances + q * k;
  std::int32_t* kept_indices = args.indices + q * k;
  float distances[most_neighbours];
  std::int32_t indices[most_neighbours];
  clear_neighbours(distances, indices, k);
  for (std::int64_t j = threadIdx.x; j < k; j += blockDim.x) insert_neighbour(distances, indices, k, kept_distances[j], kept_indices[j]);
  const std::int32_t wanted = args.wanted_classes[q];
  const float query_norm = query_norms[q];
  for (std::int64_t c = threadIdx.x; c < width; c += blockDim.x) {
    const std::int64_t r = first + c;
    if (args.reference_classes[r] != wanted) continue;
    insert_neighbour(distances, indices, k, squared_distance(query_norm, reference_norms[r], dots[q * width + c]), static_cast<std::int32_t>(r));
  }

  __shared__ float warp_distances[select_threads / warp_size];
  __shared__ std::int32_t warp_indices[select_threads / warp_size];
  const int lane = static_cast<int>(threadIdx.x) % warp_size, warp = static_cast<int>(threadIdx.x) / warp_size;
  std::int64_t head = 0;
  for (std::int64_t j = 0; j < k; ++j) {
    float distance = head < k ? distances[head] : std::numeric_limits<float>::infinity();
    std::int32_t index = head < k ? indices[head] : -1;
    for (int offset = warp_size / 2; offset > 0; offset /= 2) {
      const float other_distance = __shfl_down_sync(full_warp, distance, offset);
      const std::int32_t other_index = __shfl_down_sync(full_warp, index, offset);
      if (nearer(other_distance, other_index, distance, index)) {
        distance = other_distance;
        index = other_index;
      }
    }
    if (lane == 0) {
      warp_distances[warp] = distance;
      warp_indices[warp] = index;
    }
    // Every thread has read the kept lists before the first round's barrier, and has read this
    // round's winners before the next round's writes.
    __syncthreads();
    float nearest_distance = warp_distances[0];
    std::int32_t nearest_index = warp_indices[0];
    for (int w = 1; w < select_threads / warp_size; ++w) {
      if (nearer(warp_distances[w], warp_indices[w], nearest_distance, nearest_index)) {
        nearest_distance = warp_distances[w];
        nearest_index = warp_indices[w];
      }
    }
    if (nearest_index >= 0 && head < k && indices[head] == nearest_index) ++head;
    if (threadIdx.x == 0) {
      kept_distances[j] = nearest_distance;
      kept_indices[j] = nearest_index;
    }
    __syncthreads();
  }
}

}  // namespace

void cuda_nearest_neighbours(CudaContext& context, const NeighbourArgs& args) {
  check_neighbour_args(args);
  if (args.query_count == 0) return;
  const cudaStream_t stream = context.stream();
  clear_lists<<<blocks_for(args.query_count * args.k), threads_per_block, 0, stream>>>(args.distances, args.indices,
                                                                                      args.query_count * args.k);
  GPUFM_CHECK_LAUNCH(clear_lists);
  const DeviceBuffer query_norms = context.allocate(static_cast<std::size_t>(args.query_count) * sizeof(float));
  const DeviceBuffer reference_norms = context.allocate(static_cast<std::size_t>(args.reference_count) * sizeof(float));
  squared_norms<<<blocks_for(args.query_count), threads_per_block, 0, stream>>>(args.queries, args.query_count, args.dimension,
                                                                              query_norms.as<float>());
  GPUFM_CHECK_LAUNCH(squared_norms);
  squared_norms<<<blocks_for(args.reference_count), threads_per_block, 0, stream>>>(args.references, args.reference_count,
                                                                                  args.dimension, reference_norms.as<float>());
  GPUFM_CHECK_LAUNCH(squared_norms);
  const std::int64_t slice = neighbour_slice(args.query_count, args.reference_count);
  const DeviceBuffer dots = context.allocate(static_cast<std::size_t>(args.query_count * slice) * sizeof(float));
  for (std::int64_t first = 0; first < args.reference_count; first += slice) {
    const std::int64_t width = std::min(slice, args.reference_count - first);
    gemm(context.cublas(), matrix_math(Precision::fp32), args.queries, Stored::as_is, args.references + first * args.dimension, Stored::transposed, dots.as<float>(),
         args.query_count, width, args.dimension);
    select_nearest<<<static_cast<unsigned>(args.query_count), select_threads, 0, stream>>>(args, query_norms.as<float>(),
                                                                                         reference_norms.as<float>(), dots.as<float>(),
                                                                                         first, width);
    GPUFM_CHECK_LAUNCH(select_nearest);
  }
  GPUFM_CHECK(cudaStreamSynchronize(stream));
}

}  // namespace gpufm::cuda
