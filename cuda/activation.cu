#include "cuda/activation.hpp"

#include "cuda/check.hpp"
#include "cuda/launch.cuh"

namespace gpufm::cuda {

namespace {

__global__ void activate_elements(Activation a, const float* input, float* output, std::int64_t n, float alpha) {
  GPUFM_GRID_STRIDE_LOOP(i, n) { output[i] = activate(a, input[i], alpha); }
}

__global__ void activation_slope_elements(Activation a, const float* output, const float* output_gradient, float* input_gradient,
                                          std::int64_t n, float alpha) {
  GPUFM_GRID_STRIDE_LOOP(i, n) { input_gradient[i] = output_gradient[i] * activation_slope(a, output[i], alpha); }
}

__global__ void bias_activate_elements(Activation a, float* matrix, const float* bias, std::int64_t n, std::int64_t columns,
                                       float alpha) {
  GPUFM_GRID_STRIDE_LOOP(i, n) { matrix[i] = activate(a, matrix[i] + bias[i % columns], alpha); }
}

// One warp per row: rows are short (the classes of a classifier, the channels of an image).
constexpr int warp = 32;

__device__ float warp_sum(float value) {
  for (int offset = warp / 2; offset > 0; offset /= 2) value += __shfl_xor_sync(0xffffffffu, value, offset);
  return value;
}

__device__ float warp_max(float value) {
  for (int offset = warp / 2; offset > 0; offset /= 2) value = fmaxf(value, __shfl_xor_sync(0xffffffffu, value, offset));
  return value;
}

__global__ void softmax_rows(const float* input, float* output, std::int64_t rows, std::int64_t row_length) {
  const std::int64_t row = static_cast<std::int64_t>(blockIdx.x) * (blockDim.x / warp) + threadIdx.x / warp;
  if (row >= rows) return;
  const int lane = threadIdx.x % warp;
  const float* x = input + row * row_length;
  float* y = output + row * row_length;
  float largest = -INFINITY;  // subtracted, so exp never overflows
  for (std::int64_t i = lane; i < row_length; i += warp) largest = fmaxf(largest, x[i]);
  largest = warp_max(largest);
  float sum = 0.0f;
  for (std::int64_t i = lane; i < row_length; i += warp) sum += expf(x[i] - largest);
  sum = warp_sum(sum);
  for (std::int64_t i = lane; i < row_length; i += warp) y[i] = expf(x[i] - largest) / sum;
}

// dx = y * (dy - sum over the row of dy * y).
__global__ void softmax_backward_rows(const float* output, const float* output_gradient, float* input_gradient, std::int64_t rows,
                                      std::int64_t row_length) {
  const std::int64_t row = static_cast<std::int64_t>(blockIdx.x) * (blockDim.x / warp) + threadIdx.x / warp;
  if (row >= rows) return;
  const int lane = threadIdx.x % warp;
  const float* y = output + row * row_length;
  const float* dy = output_gradient + row * row_length;
  float* dx = input_gradient + row * row_length;
  float dot = 0.0f;
  for (std::int64_t i = lane; i < row_length; i += warp) dot += dy[i] * y[i];
  dot = warp_sum(dot);
  for (std::int64_t i = lane; i < row_length; i += warp) dx[i] = y[i] * (dy[i] - dot);
}

// At least one block, as blocks_for gives: a launch of none is an error, even for no rows.
unsigned row_blocks(std::int64_t rows) {
  constexpr std::int64_t rows_per_block = threads_per_block / warp;
  return static_cast<unsigned>(std::max<std::int64_t>((rows + rows_per_block - 1) / rows_per_block, 1));
}

// A block sums 32 columns over one chunk of the rows (blockIdx.y), each thread one column over an
// eighth of the chunk, row by row in double; the eighths are then added in order. The last block
// of a column tile to finish adds the tile's chunk sums in chunk order, so the result is the same
// whichever block that is, and leaves the tile's count at zero for the next launch.
constexpr int column_tile = sum_rows_tile_columns, row_ranges = 8;

__global__ void sum_rows_in_chunks(const float* matrix, std::int64_t rows, std::int64_t columns, double* chunk_sums,
                                   unsigned* chunks_done, float* row_sum) {
  __shared__ double partial[row_ranges][column_tile];
  __shared__ bool last_chunk;
  const std::int64_t column = static_cast<std::int64_t>(blockIdx.x) * column_tile + threadIdx.x;
  const std::int64_t range = static_cast<std::int64_t>(blockIdx.y) * row_ranges + threadIdx.y;
  constexpr std::int64_t ranges = std::int64_t{sum_rows_chunks} * row_ranges;
  const bool first_thread = threadIdx.x == 0 && threadIdx.y == 0;
  double sum = 0;
  if (column < columns) {
    const std::int64_t first = rows * range / ranges, last = rows * (range + 1) / ranges;
    for (std::int64_t r = first; r < last; ++r) sum += matrix[r * columns + column];
  }
  partial[threadIdx.y][threadIdx.x] = sum;
  __syncthreads();
  if (threadIdx.y == 0 && column < columns) {
    double total = 0;
    for (int k = 0; k < row_ranges; ++k) total += partial[k][threadIdx.x];
    chunk_sums[static_cast<std::int64_t>(blockIdx.y) * columns + column] = total;
    __threadfence();  // visible to every block before the count below says it is there
  }
  __syncthreads();
  if (first_thread) {
    last_chunk = atomicAdd(&chunks_done[blockIdx.x], 1u) == sum_rows_chunks - 1;
    __threadfence();  // and the other blocks' sums are read after their count
  }
  __syncthreads();
  if (!last_chunk) return;
  if (threadIdx.y == 0 && column < columns) {
    double total = 0;
    // Read past the SM's own cache: other blocks wrote these.
    for (int chunk = 0; chunk < sum_rows_chunks; ++chunk) total += __ldcg(&chunk_sums[chunk * columns + column]);
    row_sum[column] = static_cast<float>(total);
  }
  if (first_thread) chunks_done[blockIdx.x] = 0;
}

}  // namespace

void activation_forward(cudaStream_t stream, Activation a, const float* input, float* output, std::int64_t rows,
                        std::int64_t row_length, float alpha) {
  if (a == Activation::softmax) {
    softmax_rows<<<row_blocks(rows), threads_per_block, 0, stream>>>(input, output, rows, row_length);
    GPUFM_CHECK_LAUNCH(softmax_rows);
    return;
  }
  const std::int64_t n = rows * row_length;
  activate_elements<<<blocks_for(n), threads_per_block, 0, stream>>>(a, input, output, n, alpha);
  GPUFM_CHECK_LAUNCH(activate_elements);
}

void activation_backward(cudaStream_t stream, Activation a, const float* output, const float* output_gradient,
                         float* input_gradient, std::int64_t rows, std::int64_t row_length, float alpha) {
  if (a == Activation::softmax) {
    softmax_backward_rows<<<row_blocks(rows), threads_per_block, 0, stream>>>(output, output_gradient, input_gradient, rows, row_length);
    GPUFM_CHECK_LAUNCH(softmax_backward_rows);
    return;
  }
  const std::int64_t n = rows * row_length;
  activation_slope_elements<<<blocks_for(n), threads_per_block, 0, stream>>>(a, output, output_gradient, input_gradient, n, alpha);
  GPUFM_CHECK_LAUNCH(activation_slope_elements);
}

void bias_activation_forward(cudaStream_t stream, Activation a, float* matrix, const float* bias, std::int64_t rows,
                             std::int64_t columns, float alpha) {
  if (a == Activation::softmax) {
    // The bias first, then softmax over each row as a whole.
    bias_activate_elements<<<blocks_for(rows * columns), threads_per_block, 0, stream>>>(Activation::linear, matrix, bias,
                                                                                          rows * columns, columns, alpha);
    GPUFM_CHECK_LAUNCH(bias_activate_elements);
    activation_forward(stream, a, matrix, matrix, rows, columns, alpha);
    return;
  }
  bias_activate_elements<<<blocks_for(rows * columns), threads_per_block, 0, stream>>>(a, matrix, bias, rows * columns, columns, alpha);
  GPUFM_CHECK_LAUNCH(bias_activate_elements);
}

void sum_rows(cudaStream_t stream, const float* matrix, std::int64_t rows, std::int64_t columns, double* chunk_sums,
              unsigned* chunks_done, float* row_sum) {
  const dim3 block(column_tile, row_ranges);
  const dim3 grid(static_cast<unsigned>(sum_rows_column_tiles(columns)), sum_rows_chunks);
  sum_rows_in_chunks<<<grid, block, 0, stream>>>(matrix, rows, columns, chunk_sums, chunks_done, row_sum);
  GPUFM_CHECK_LAUNCH(sum_rows_in_chunks);
}

}  // namespace gpufm::cuda
