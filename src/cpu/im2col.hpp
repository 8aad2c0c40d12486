// A 2-D convolution over NHWC images lowered to matrix products. im2col lays each output position's
// input patch out as one row of a (images * out_h * out_w) x (kh * kw * in_c) matrix, in the order
// of the filter (filters, kh, kw, in_c), so the convolution is a GEMM with the filter per group of
// images; col2im adds such rows back into images. conv2d uses them forward; conv2d_transpose, the
// backward-data of a conv2d, uses them the other way round.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "cpu/blas.hpp"
#include "ops/window.hpp"

namespace gpufm::cpu {

// The bytes of the im2col matrix of `images` images: a row of patch_size() values per output
// position.
inline std::size_t column_bytes(const ConvGeometry& g, std::int64_t images) {
  return static_cast<std::size_t>(images * g.positions() * g.patch_size()) * sizeof(float);
}

// A batch is lowered a group of whole images at a time, so that a group's columns are still in
// cache when the product reads them (a wide patch over a few filters made the columns' trip to
// memory cost more than the product), and the workspace holds one group, not the batch. A group's
// columns take at most column_group_bytes, or one image's: 4 MiB, the development machine's two
// L2 caches; 1 MiB was slower, 8 and 16 no faster (docs/benchmarks.md has the figures).
inline constexpr std::size_t column_group_bytes = std::size_t{4} << 20;
std::int64_t images_per_group(const ConvGeometry& g, std::int64_t batch);

// The workspace a batch's convolution needs: one group's columns.
inline std::size_t group_column_bytes(const ConvGeometry& g, std::int64_t batch) { return column_bytes(g, images_per_group(g, batch)); }

// visit(first_image, images, filter_gradient_into) for each group of the batch, in order; the
// filter's gradient is written by the first group and added to by the others.
template <class Visit>
void for_each_image_group(const ConvGeometry& g, std::int64_t batch, Visit visit) {
  const std::int64_t group = images_per_group(g, batch);
  for (std::int64_t first = 0; first < batch; first += group) {
    visit(first, std::min(group, batch - first), first == 0 ? Product::written : Product::added);
  }
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
// over the batch and positions; or added to `gradient` (a later group of images).
void filter_gradient(const ConvGeometry& g, const float* output_gradient, const float* columns, std::int64_t batch,
                     float* gradient, Product into);

}  // namespace gpufm::cpu
