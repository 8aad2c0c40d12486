// One drawing, two files: a cairo drawing function rendered once to an SVG surface and once to
// an image surface written as PNG, so the vector and the raster picture never differ.
#pragma once

#include <cairo.h>

#include <functional>

#include "gpufm/charts.hpp"

namespace gpufm::report {

using Drawing = std::function<void(cairo_t*)>;

// `draw` on a canvas of width x height points, on white; the PNG has png_scale pixels a point.
Picture render(const Drawing& draw, double width, double height, double png_scale = 2.0);

// Text in the charts' font, placed by its anchor: x_align 0 left, 0.5 centre, 1 right;
// y_align likewise from the top. Rotated by `angle` radians about the anchor.
void draw_text(cairo_t* cr, const std::string& text, double x, double y, double size, double x_align, double y_align,
               double angle = 0);

void set_color(cairo_t* cr, const Rgb& color);

// An 8-bit image with its top left at (x, y), each pixel a square of `scale` points, not smoothed.
void draw_image(cairo_t* cr, const Image& image, double x, double y, double scale);

}  // namespace gpufm::report
