// A 2-D convolution over NHWC images lowered to matrix products. im2col lays each output
// position's input patch out as one row of a (batch * out_h * out_w) x (kh * kw * in_c) matrix,
// in the order of the filter (filters, kh, kw, in_c), so the convolution is one GEMM with the
// filter; col2im adds such rows back into images. conv2d uses them forward; conv2d_transpose,
// the backward-data of a conv2d, uses them the other way round.
#pragma once

#include <cstddef>
#include <cstdint>

#include "ops/window.hpp"

namespace gpufm::cpu {

// The bytes of the im2col matrix of a batch: a row of patch_size() values per output position.
inline std::size_t column_bytes(const ConvGeometry& g, std::int64_t batch) {
  return static_cast<std::size_t>(batch * g.positions() * g.patch_size()) * sizeof(float);
}

// columns = the patches of images (batch, in_h, in_w, in_c), zero outside the image.
void im2col(const ConvGeometry& g, const float* images, std::int64_t batch, float* columns);

// images = for each pixel, the sum of the column entries that im2col would copy from it, added
// in kernel order: the adjoint of im2col. Writes every pixel.
void col2im(const ConvGeometry& g, const float* columns, std::int64_t batch, float* images);

// outputs (batch, out_h, out_w, out_c) = columns * filter^T: the convolution of the images
// whose im2col is `columns`, with filter (out_c, kh, kw, in_c).
void filter_columns(const ConvGeometry& g, const float* columns, const float* filter, std::int64_t batch, float* outputs);

// columns = outputs * filter: the transpose of filter_columns; col2im of it is the
// backward-data of the convolution.
void spread_to_columns(const ConvGeometry& g, const float* outputs, const float* filter, std::int64_t batch, float* columns);

// gradient (out_c, kh, kw, in_c) = output_gradient^T * columns: the filter's gradient, summed
// over the batch and positions.
void filter_gradient(const ConvGeometry& g, const float* output_gradient, const float* columns, std::int64_t batch,
                     float* gradient);

}  // namespace gpufm::cpu
