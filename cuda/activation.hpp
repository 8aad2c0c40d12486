// Activations over a batch on the GPU, with the scalar rules the CPU uses (gpufm/activation.hpp).
// Tensors are rows of row_length values; softmax normalises each row (the last axis).
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

#include "gpufm/activation.hpp"
#include "gpufm/dropout_mask.hpp"

namespace gpufm::cuda {

// output = f(input), then the dropout the layer applies (for an element-wise f); output may be
// input.
void activation_forward(cudaStream_t stream, Activation a, const float* input, float* output, std::int64_t rows,
                        std::int64_t row_length, float alpha, const DropoutMask& dropout = {});

// input_gradient = output_gradient * f'(x), from the output; input_gradient may be output_gradient.
// A dropout the layer applies after f (`dropout`, for an element-wise f) applies to
// output_gradient first, in the same pass.
void activation_backward(cudaStream_t stream, Activation a, const float* output, const float* output_gradient,
                         float* input_gradient, std::int64_t rows, std::int64_t row_length, float alpha,
                         const DropoutMask& dropout = {});

// matrix (rows x columns) += bias (columns) on every row, then f, then the dropout the layer
// applies (for an element-wise f): the epilogue of dense and the convolutions in one pass.
void bias_activation_forward(cudaStream_t stream, Activation a, float* matrix, const float* bias, std::int64_t rows,
                             std::int64_t columns, float alpha, const DropoutMask& dropout);

// row_sum (columns) = the sum of the rows of gradient (rows x columns): a bias gradient, where
// rows are a batch's pixels (a hundred thousand for a convolution over 28x28 images). Unless `a`
// is linear and `dropout` does not drop, each element is first masked and multiplied by f'(x),
// read from the output, and written back, as activation_backward does in place (`a` element-wise,
// not softmax): a bias-and-activation layer's backward in one pass. The rows are split into at
// most sum_rows_chunks chunks summed side by side into chunk_sums (sum_rows_chunks x columns
// doubles, the caller's), then each column's chunk sums are added: all in a fixed order for a
// given number of rows, so the result is the same from run to run. One launch: chunks_done (the
// caller's, sum_rows_column_tiles(columns) counts, zeroed before the first call) counts the
// chunks finished per tile of columns, so the last one adds them up; it is left at zero again.
inline constexpr int sum_rows_chunks = 256, sum_rows_tile_columns = 32;
constexpr std::int64_t sum_rows_column_tiles(std::int64_t columns) { return (columns + sum_rows_tile_columns - 1) / sum_rows_tile_columns; }
void activation_backward_and_sum_rows(cudaStream_t stream, Activation a, const DropoutMask& dropout, const float* output,
                                      float* gradient, std::int64_t rows, std::int64_t columns, float alpha, double* chunk_sums,
                                      unsigned* chunks_done, float* row_sum);

}  // namespace gpufm::cuda
