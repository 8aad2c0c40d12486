#include "gpufm/png.hpp"

#include <png.h>

#include <stdexcept>
#include <string>

#include "gpufm/atomic_file.hpp"
#include "gpufm/error.hpp"

namespace gpufm {

namespace {

// libpng's default limit for readers (PNG_USER_WIDTH_MAX, PNG_USER_HEIGHT_MAX): a larger file
// would be written but not read back. It also keeps a row's byte count within png_int_32.
constexpr std::int64_t max_side = 1'000'000;

IoError libpng_error(const png_image& image) {
  return IoError(std::string("could not encode a PNG image: libpng: ") + image.message);
}

}  // namespace

// libpng's simplified API does its setjmp/longjmp inside libpng and reports failure by its return
// value, so no longjmp crosses this function's C++ frames.
std::vector<std::byte> encode_png(const Image& image) {
  if (!is_well_formed(image) || image.width > max_side || image.height > max_side) {
    throw std::invalid_argument("encode_png: a " + std::to_string(image.width) + "x" + std::to_string(image.height) +
                                " image with " + std::to_string(image.channels) + " channels and " +
                                std::to_string(image.pixels.size()) + " pixel values cannot be encoded");
  }
  png_image description{};
  description.version = PNG_IMAGE_VERSION;
  description.width = static_cast<png_uint_32>(image.width);
  description.height = static_cast<png_uint_32>(image.height);
  description.format = image.channels == 3 ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;
  const auto row_stride = static_cast<png_int_32>(image.width * image.channels);

  // The first call only measures; the second, with identical arguments, writes.
  png_alloc_size_t size = 0;
  if (!png_image_write_to_memory(&description, nullptr, &size, 0, image.pixels.data(), row_stride, nullptr)) {
    throw libpng_error(description);
  }
  std::vector<std::byte> bytes(size);
  if (!png_image_write_to_memory(&description, bytes.data(), &size, 0, image.pixels.data(), row_stride, nullptr)) {
    throw libpng_error(description);
  }
  bytes.resize(size);
  return bytes;
}

void write_png(const std::filesystem::path& path, const Image& image) {
  write_file_atomically(path, std::span<const std::byte>(encode_png(image)));
}

}  // namespace gpufm
