#include "gpufm/image.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

namespace gpufm {

namespace {

// Whether `count` is height * width * channels, by division so that absurd sizes cannot overflow.
bool is_product(std::size_t count, std::int64_t height, std::int64_t width, std::int64_t channels) {
  if (height <= 0 || width <= 0 || (channels != 1 && channels != 3)) return false;
  const auto per_pixel = static_cast<std::uint64_t>(channels);
  if (count % per_pixel != 0) return false;
  const std::uint64_t pixels = count / per_pixel;
  const auto columns = static_cast<std::uint64_t>(width);
  return pixels % columns == 0 && pixels / columns == static_cast<std::uint64_t>(height);
}

std::string size_text(std::int64_t height, std::int64_t width, std::int64_t channels) {
  return std::to_string(height) + "x" + std::to_string(width) + "x" + std::to_string(channels);
}

}  // namespace

bool is_well_formed(const Image& image) {
  return is_product(image.pixels.size(), image.height, image.width, image.channels);
}

Image image_from_unit_floats(std::span<const float> values, std::int64_t height, std::int64_t width,
                             std::int64_t channels) {
  if (!is_product(values.size(), height, width, channels)) {
    throw std::invalid_argument("image_from_unit_floats: " + std::to_string(values.size()) +
                                " values do not make a " + size_text(height, width, channels) + " image");
  }
  Image image{width, height, channels, std::vector<std::uint8_t>(values.size())};
  std::transform(values.begin(), values.end(), image.pixels.begin(), [](float value) {
    if (std::isnan(value)) return std::uint8_t{0};
    return static_cast<std::uint8_t>(std::lround(std::clamp(value, 0.0f, 1.0f) * 255.0f));
  });
  return image;
}

Image image_grid(std::span<const Image> tiles, std::int64_t columns, std::int64_t gap, std::uint8_t background) {
  if (tiles.empty()) throw std::invalid_argument("image_grid: no tiles");
  if (columns < 1 || gap < 0) {
    throw std::invalid_argument("image_grid: " + std::to_string(columns) + " columns and a gap of " +
                                std::to_string(gap) + " (need columns >= 1, gap >= 0)");
  }
  const Image& first = tiles.front();
  for (const Image& tile : tiles) {
    if (!is_well_formed(tile) || tile.width != first.width || tile.height != first.height ||
        tile.channels != first.channels) {
      throw std::invalid_argument("image_grid: a tile of " + size_text(tile.height, tile.width, tile.channels) +
                                  " pixels among tiles of " +
                                  size_text(first.height, first.width, first.channels));
    }
  }
  const auto count = static_cast<std::int64_t>(tiles.size());
  const std::int64_t grid_columns = std::min(columns, count);
  const std::int64_t grid_rows = (count + grid_columns - 1) / grid_columns;
  Image grid;
  grid.width = grid_columns * first.width + (grid_columns - 1) * gap;
  grid.height = grid_rows * first.height + (grid_rows - 1) * gap;
  grid.channels = first.channels;
  grid.pixels.assign(static_cast<std::size_t>(grid.width * grid.height * grid.channels), background);

  const auto tile_row_bytes = static_cast<std::size_t>(first.width * first.channels);
  for (std::int64_t index = 0; index < count; ++index) {
    const std::int64_t left = (index % grid_columns) * (first.width + gap);
    const std::int64_t top = (index / grid_columns) * (first.height + gap);
    const Image& tile = tiles[static_cast<std::size_t>(index)];
    for (std::int64_t y = 0; y < first.height; ++y) {
      const std::size_t from = static_cast<std::size_t>(y) * tile_row_bytes;
      const auto to = static_cast<std::size_t>(((top + y) * grid.width + left) * grid.channels);
      std::memcpy(grid.pixels.data() + to, tile.pixels.data() + from, tile_row_bytes);
    }
  }
  return grid;
}

}  // namespace gpufm
