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

}  // namespace gpufm::cpu
