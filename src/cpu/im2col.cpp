#include "cpu/im2col.hpp"

#include <algorithm>

#include "cpu/blas.hpp"
#include "ops/window.hpp"

namespace gpufm::cpu {

namespace {

// The output position whose window puts kernel offset `offset` on input position `at`, or -1
// when no window does.
std::int64_t window_over(std::int64_t at, std::int64_t offset, std::int64_t pad_before, std::int64_t stride, std::int64_t out) {
  const std::int64_t shifted = at + pad_before - offset;
  if (shifted < 0 || shifted % stride != 0 || shifted / stride >= out) return -1;
  return shifted / stride;
}

}  // namespace

std::int64_t images_per_group(const ConvGeometry& g, std::int64_t batch) {
  const std::size_t image_bytes = column_bytes(g, 1);
  return std::clamp<std::int64_t>(static_cast<std::int64_t>(column_group_bytes / std::max<std::size_t>(image_bytes, 1)), 1,
                                  std::max<std::int64_t>(batch, 1));
}

// A window's row inside the image is one run of kernel_w * in_c values in NHWC, copied at once;
// only rows cut by the padding go pixel by pixel.
void im2col(const ConvGeometry& g, const float* images, std::int64_t batch, float* columns) {
  const std::int64_t patch = g.patch_size(), run = g.kernel_w * g.in_c;
#pragma omp parallel for schedule(static)
  for (std::int64_t output_row = 0; output_row < batch * g.out_h; ++output_row) {
    const std::int64_t n = output_row / g.out_h, oy = output_row % g.out_h;
    const float* image = images + n * g.in_h * g.in_w * g.in_c;
    float* row_columns = columns + output_row * g.out_w * patch;
    for (std::int64_t ox = 0; ox < g.out_w; ++ox) {
      const std::int64_t left = ox * g.stride_w - g.pad_left;
      const bool row_inside = left >= 0 && left + g.kernel_w <= g.in_w;
      for (std::int64_t ky = 0; ky < g.kernel_h; ++ky) {
        const std::int64_t y = oy * g.stride_h - g.pad_top + ky;
        float* destination = row_columns + ox * patch + ky * run;
        if (y < 0 || y >= g.in_h) {
          std::fill_n(destination, run, 0.0f);
        } else if (row_inside) {
          std::copy_n(image + (y * g.in_w + left) * g.in_c, run, destination);
        } else {
          for (std::int64_t kx = 0; kx < g.kernel_w; ++kx) {
            const std::int64_t x = left + kx;
            float* pixel = destination + kx * g.in_c;
            if (x >= 0 && x < g.in_w) {
              std::copy_n(image + (y * g.in_w + x) * g.in_c, g.in_c, pixel);
            } else {
              std::fill_n(pixel, g.in_c, 0.0f);
            }
          }
        }
      }
    }
  }
}

// Gathers into each image row rather than scattering from each column row, so every pixel is
// written by one thread and summed in the same order whatever the thread count.
void col2im(const ConvGeometry& g, const float* columns, std::int64_t batch, float* images) {
  const std::int64_t patch = g.patch_size();
#pragma omp parallel for schedule(static)
  for (std::int64_t image_row = 0; image_row < batch * g.in_h; ++image_row) {
    const std::int64_t n = image_row / g.in_h, y = image_row % g.in_h;
    const float* sample_columns = columns + n * g.positions() * patch;
    float* pixels = images + image_row * g.in_w * g.in_c;
    std::fill_n(pixels, g.in_w * g.in_c, 0.0f);
    for (std::int64_t ky = 0; ky < g.kernel_h; ++ky) {
      const std::int64_t oy = window_over(y, ky, g.pad_top, g.stride_h, g.out_h);
      if (oy < 0) continue;
      for (std::int64_t x = 0; x < g.in_w; ++x) {
        float* pixel = pixels + x * g.in_c;
        for (std::int64_t kx = 0; kx < g.kernel_w; ++kx) {
          const std::int64_t ox = window_over(x, kx, g.pad_left, g.stride_w, g.out_w);
          if (ox < 0) continue;
          const float* source = sample_columns + (oy * g.out_w + ox) * patch + (ky * g.kernel_w + kx) * g.in_c;
          for (std::int64_t c = 0; c < g.in_c; ++c) pixel[c] += source[c];
        }
      }
    }
  }
}

void filter_columns(const ConvGeometry& g, const float* columns, const float* filter, std::int64_t batch, float* outputs) {
  gemm(columns, Stored::as_is, filter, Stored::transposed, outputs, batch * g.positions(), g.out_c, g.patch_size());
}

void spread_to_columns(const ConvGeometry& g, const float* outputs, const float* filter, std::int64_t batch, float* columns) {
  gemm(outputs, Stored::as_is, filter, Stored::as_is, columns, batch * g.positions(), g.patch_size(), g.out_c);
}

void filter_gradient(const ConvGeometry& g, const float* output_gradient, const float* columns, std::int64_t batch,
                     float* gradient, Product into) {
  gemm(output_gradient, Stored::transposed, columns, Stored::as_is, gradient, g.out_c, g.patch_size(), batch * g.positions(), into);
}

}  // namespace gpufm::cpu
