#include "cuda/activation.hpp"

#include <algorithm>
#include <stdexcept>

#include "cuda/check.hpp"
#include "cuda/launch.cuh"

namespace gpufm::cuda {

namespace {

__global__ void activate_elements(Activation a, DropoutMask mask, const float* input, float* output, std::int64_t n, float alpha) {
  const StepDropout dropout(mask);
  GPUFM_GRID_STRIDE_LOOP(i, n) { output[i] = dropout.apply(i, activate(a, input[i], alpha)); }
}

// The mask first, then the slope: the order of the dropout layer's backward and then this layer's.
__global__ void activation_slope_elements(Activation a, DropoutMask mask, const float* output, const float* output_gradient,
                                          float* input_gradient, std::int64_t n, float alpha) {
  const StepDropout dropout(mask);
  GPUFM_GRID_STRIDE_LOOP(i, n) { input_gradient[i] = dropout.apply(i, output_gradient[i]) * activation_slope(a, output[i], alpha); }
}

__global__ void bias_activate_elements(Activation a, DropoutMask mask, float* matrix, const float* bias, std::int64_t n,
                                       std::int64_t columns, float alpha) {
  const StepDropout dropout(mask);
  GPUFM_GRID_STRIDE_LOOP(i, n) { matrix[i] = dropout.apply(i, activate(a, matrix[i] + bias[i % columns], alpha)); }
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

// A block sums 32 columns over one chunk of the rows (blockIdx.y): its 8 warps take the chunk's
// rows in turn, each thread of a warp one column, so that a warp reads whole rows of 32 floats,
// several rows in flight at once (unrolled; the pointers do not overlap). Each element is first
// masked by the dropout the layer applies, if any, then times the activation's slope, unless
// linear. Each thread adds in double, and the 8 warps' sums are added in order. The last block of
// a column tile to finish adds the tile's chunk sums (warp w chunks w, w + 8, ..., then the 8 in
// order), so the result is the same whichever block that is, and leaves the tile's count at zero
// for the next launch.
constexpr int column_tile = sum_rows_tile_columns, row_warps = 8;

// The calling thread's column of `warp_sums` (each warp's sum, in shared memory), added in warp
// order.
__device__ double add_warp_sums(const double (&warp_sums)[row_warps][column_tile]) {
  double total = 0;
  for (int warp_index = 0; warp_index < row_warps; ++warp_index) total += warp_sums[warp_index][threadIdx.x];
  return total;
}

__global__ void slope_and_sum_rows_in_chunks(Activation a, DropoutMask mask, const float* __restrict__ output,
                                             float* __restrict__ gradient, std::int64_t rows, std::int64_t columns, float alpha,
                                             double* __restrict__ chunk_sums, unsigned* chunks_done, float* __restrict__ row_sum) {
  __shared__ double warp_sums[row_warps][column_tile];
  __shared__ bool last_chunk;
  const StepDropout dropout(mask);
  const bool rewrites = a != Activation::linear || mask.drops();
  const unsigned chunks = gridDim.y;
  const std::int64_t column = static_cast<std::int64_t>(blockIdx.x) * column_tile + threadIdx.x;
  const bool first_thread = threadIdx.x == 0 && threadIdx.y == 0;
  double sum = 0;
  if (column < columns) {
    const std::int64_t first = rows * blockIdx.y / chunks, last = rows * (blockIdx.y + 1) / chunks;
#pragma unroll 4
    for (std::int64_t r = first + threadIdx.y; r < last; r += row_warps) {
      const std::int64_t at = r * columns + column;
      float value = gradient[at];
      if (rewrites) {
        value = dropout.apply(at, value);
        if (a != Activation::linear) value *= activation_slope(a, output[at], alpha);
        gradient[at] = value;
      }
      sum += value;
    }
  }
  warp_sums[threadIdx.y][threadIdx.x] = sum;
  __syncthreads();
  if (threadIdx.y == 0 && column < columns) {
    chunk_sums[static_cast<std::int64_t>(blockIdx.y) * columns + column] = add_warp_sums(warp_sums);
    __threadfence();  // visible to every block before the count below says it is there
  }
  __syncthreads();
  if (first_thread) {
    last_chunk = atomicAdd(&chunks_done[blockIdx.x], 1u) == chunks - 1;
    __threadfence();  // and the other blocks' sums are read after their count
  }
  __syncthreads();
  if (!last_chunk) return;
  double total = 0;
  if (column < columns) {
    // Read past the SM's own cache: other blocks wrote these.
    for (unsigned chunk = threadIdx.y; chunk < chunks; chunk += row_warps) total += __ldcg(&chunk_sums[chunk * columns + column]);
  }
  warp_sums[threadIdx.y][threadIdx.x] = total;
  __syncthreads();
  if (threadIdx.y == 0 && column < columns) row_sum[column] = static_cast<float>(add_warp_sums(warp_sums));
  if (first_thread) chunks_done[blockIdx.x] = 0;
}

// Enough chunks to keep the GPU's memory busy for a convolution's hundred thousand rows, but each
// at least 64 rows (8 a warp) long where there are that many, so that a dense layer's batch takes
// a few blocks, not hundreds.
unsigned sum_rows_chunk_count(std::int64_t rows) {
  constexpr std::int64_t shortest_chunk = 8 * row_warps;
  return static_cast<unsigned>(std::clamp<std::int64_t>(rows / shortest_chunk, 1, sum_rows_chunks));
}

}  // namespace

void activation_forward(cudaStream_t stream, Activation a, const float* input, float* output, std::int64_t rows,
                        std::int64_t row_length, float alpha, const DropoutMask& dropout) {
  if (a == Activation::softmax) {
    if (dropout.drops()) throw std::logic_error("softmax works on rows: it applies no dropout");
    softmax_rows<<<row_blocks(rows), threads_per_block, 0, stream>>>(input, output, rows, row_length);
    GPUFM_CHECK_LAUNCH(softmax_rows);
    return;
  }
  const std::int64_t n = rows * row_length;
  activate_elements<<<blocks_for(n), threads_per_block, 0, stream>>>(a, dropout, input, output, n, alpha);
  GPUFM_CHECK_LAUNCH(activate_elements);
}

void activation_backward(cudaStream_t stream, Activation a, const float* output, const float* output_gradient,
                         float* input_gradient, std::int64_t rows, std::int64_t row_length, float alpha, const DropoutMask& dropout) {
  if (a == Activation::softmax) {
    if (dropout.drops()) throw std::logic_error("softmax's slope is not element-wise: it applies no dropout");
    softmax_backward_rows<<<row_blocks(rows), threads_per_block, 0, stream>>>(output, output_gradient, input_gradient, rows, row_length);
    GPUFM_CHECK_LAUNCH(softmax_backward_rows);
    return;
  }
  const std::int64_t n = rows * row_length;
  activation_slope_elements<<<blocks_for(n), threads_per_block, 0, stream>>>(a, dropout, output, output_gradient, input_gradient, n,
                                                                            alpha);
  GPUFM_CHECK_LAUNCH(activation_slope_elements);
}

void bias_activation_forward(cudaStream_t stream, Activation a, float* matrix, const float* bias, std::int64_t rows,
                             std::int64_t columns, float alpha, const DropoutMask& dropout) {
  if (a == Activation::softmax) {
    if (dropout.drops()) throw std::logic_error("softmax works on rows: it applies no dropout");
    // The bias first, then softmax over each row as a whole.
    bias_activate_elements<<<blocks_for(rows * columns), threads_per_block, 0, stream>>>(Activation::linear, DropoutMask{}, matrix, bias,
                                                                                          rows * columns, columns, alpha);
    GPUFM_CHECK_LAUNCH(bias_activate_elements);
    activation_forward(stream, a, matrix, matrix, rows, columns, alpha);
    return;
  }
  bias_activate_elements<<<blocks_for(rows * columns), threads_per_block, 0, stream>>>(a, dropout, matrix, bias, rows * columns, columns,
                                                                                        alpha);
  GPUFM_CHECK_LAUNCH(bias_activate_elements);
}

void activation_backward_and_sum_rows(cudaStream_t stream, Activation a, const DropoutMask& dropout, const float* output,
                                      float* gradient, std::int64_t rows, std::int64_t columns, float alpha, double* chunk_sums,
                                      unsigned* chunks_done, float* row_sum) {
  if (a == Activation::softmax) throw std::logic_error("softmax's slope is not element-wise: activation_backward takes it");
  const dim3 block(column_tile, row_warps);
  const dim3 grid(static_cast<unsigned>(sum_rows_column_tiles(columns)), sum_rows_chunk_count(rows));
  slope_and_sum_rows_in_chunks<<<grid, block, 0, stream>>>(a, dropout, output, gradient, rows, columns, alpha, chunk_sums, chunks_done,
                                                           row_sum);
  GPUFM_CHECK_LAUNCH(slope_and_sum_rows_in_chunks);
}

}  // namespace gpufm::cuda
