// Activations over a batch on the CPU. Tensors are rows of row_length values (softmax
// normalises each row: the last axis, channels for images).
#pragma once

#include <cstdint>

#include "gpufm/activation.hpp"

namespace gpufm::cpu {

// output = f(input); output may be input.
void activation_forward(Activation a, const float* input, float* output, std::int64_t rows, std::int64_t row_length, float alpha);

// input_gradient = output_gradient * f'(x), from the output; input_gradient may be output_gradient.
// Softmax: input_gradient = y * (output_gradient - sum over the row of output_gradient * y).
void activation_backward(Activation a, const float* output, const float* output_gradient, float* input_gradient,
                         std::int64_t rows, std::int64_t row_length, float alpha);

// matrix (rows x columns) = f(matrix + bias on every row), in one pass: the forward epilogue of
// dense and the convolutions, for an element-wise f (not softmax).
void bias_activation_forward(Activation a, float* matrix, const float* bias, std::int64_t rows, std::int64_t columns, float alpha);

// row_sum (columns) = the sum of the rows of gradient (rows x columns), after each element is
// multiplied by f'(x), read from the output, and written back (as activation_backward does in
// place), unless `a` is linear: the backward epilogue in one pass, for an element-wise f. The
// rows are split into sum_rows_chunks fixed chunks summed side by side in double (into
// chunk_sums, sum_rows_chunks x columns, the caller's), then the chunks are added in order: no
// sum depends on the number of threads.
inline constexpr std::int64_t sum_rows_chunks = 32;
void activation_backward_and_sum_rows(Activation a, const float* output, float* gradient, std::int64_t rows, std::int64_t columns,
                                      float alpha, double* chunk_sums, float* row_sum);

}  // namespace gpufm::cpu
