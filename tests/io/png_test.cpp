#include <gtest/gtest.h>
#include <png.h>

#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "gpufm/base64.hpp"
#include "gpufm/error.hpp"
#include "gpufm/png.hpp"
#include "support/expect_error.hpp"
#include "support/temp_dir.hpp"

namespace gpufm {
namespace {

struct DecodedPng {
  png_uint_32 width = 0, height = 0, format = 0;
  std::vector<std::uint8_t> pixels;
};

// Decodes with libpng's own reader, in the format the file holds (no conversion asked for).
DecodedPng decode_png(std::span<const std::byte> bytes) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&image, bytes.data(), bytes.size())) {
    ADD_FAILURE() << "libpng cannot read it: " << image.message;
    return {};
  }
  DecodedPng decoded{image.width, image.height, image.format, std::vector<std::uint8_t>(PNG_IMAGE_SIZE(image))};
  if (!png_image_finish_read(&image, nullptr, decoded.pixels.data(), 0, nullptr)) {
    ADD_FAILURE() << "libpng cannot decode it: " << image.message;
  }
  return decoded;
}

Image counting_image(std::int64_t width, std::int64_t height, std::int64_t channels) {
  Image image{width, height, channels, std::vector<std::uint8_t>(static_cast<std::size_t>(width * height * channels))};
  for (std::size_t i = 0; i < image.pixels.size(); ++i) image.pixels[i] = static_cast<std::uint8_t>(i * 7 % 256);
  return image;
}

Image filled_tile(std::uint8_t value) { return Image{2, 2, 1, std::vector<std::uint8_t>(4, value)}; }

std::span<const std::byte> bytes_of(const std::string& text) {
  return std::as_bytes(std::span(text.data(), text.size()));
}

// An image of width x height x channels decodes to the same sides, format and pixels.
void expect_round_trip(std::int64_t width, std::int64_t height, std::int64_t channels, png_uint_32 format) {
  const Image image = counting_image(width, height, channels);
  const DecodedPng decoded = decode_png(encode_png(image));
  EXPECT_EQ(decoded.width, static_cast<png_uint_32>(width));
  EXPECT_EQ(decoded.height, static_cast<png_uint_32>(height));
  EXPECT_EQ(decoded.format, format);
  EXPECT_EQ(decoded.pixels, image.pixels);
}

// Not square, so that swapped sides would show.
TEST(Png, GrayImageDecodesToTheSamePixels) { expect_round_trip(5, 3, 1, PNG_FORMAT_GRAY); }

TEST(Png, RgbImageDecodesToTheSamePixels) { expect_round_trip(4, 6, 3, PNG_FORMAT_RGB); }

TEST(Png, WritesTheEncodedBytesToTheFile) {
  const test::TempDir dir;
  const Image image = counting_image(28, 28, 1);
  write_png(dir / "sample.png", image);
  const std::vector<std::byte> expected = encode_png(image);
  EXPECT_EQ(test::read_file(dir / "sample.png"), std::string(reinterpret_cast<const char*>(expected.data()), expected.size()));
}

TEST(Png, AFileThatCannotBeWrittenIsNamed) {
  const test::TempDir dir;
  const std::string message = test::error_of<IoError>([&] { write_png(dir / "missing" / "a.png", counting_image(2, 2, 1)); });
  test::expect_contains(message, {(dir / "missing" / "a.png").string()});
}

TEST(Png, RefusesImagesItCannotEncode) {
  EXPECT_THROW(encode_png(Image{}), std::invalid_argument);
  EXPECT_THROW(encode_png(Image{2, 2, 1, std::vector<std::uint8_t>(3)}), std::invalid_argument);
  EXPECT_THROW(encode_png(Image{1, 1, 4, std::vector<std::uint8_t>(4)}), std::invalid_argument);
  EXPECT_THROW(encode_png(Image{1'000'001, 1, 1, std::vector<std::uint8_t>(1'000'001)}), std::invalid_argument);
}

TEST(ImageFromUnitFloats, ClampsScalesAndRounds) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> values = {-0.5f, 0.0f, 0.5f, 1.0f, 1.5f, nan, 0.002f, 0.998f};
  const Image image = image_from_unit_floats(values, 2, 4, 1);
  EXPECT_EQ(image.width, 4);
  EXPECT_EQ(image.height, 2);
  EXPECT_EQ(image.channels, 1);
  EXPECT_EQ(image.pixels, (std::vector<std::uint8_t>{0, 0, 128, 255, 255, 0, 1, 254}));
}

TEST(ImageFromUnitFloats, RefusesAWrongNumberOfValues) {
  const std::vector<float> values(28 * 28);
  EXPECT_THROW(image_from_unit_floats(values, 28, 28, 3), std::invalid_argument);
  EXPECT_THROW(image_from_unit_floats(values, 28, 27, 1), std::invalid_argument);
  EXPECT_THROW(image_from_unit_floats(values, 28, 28, 2), std::invalid_argument);
}

TEST(ImageGrid, LaysTilesOutInRowsWithGaps) {
  const std::vector<Image> tiles = {filled_tile(1), filled_tile(2), filled_tile(3)};
  const Image grid = image_grid(tiles, 2, 1, 9);
  EXPECT_EQ(grid.width, 5);
  EXPECT_EQ(grid.height, 5);
  EXPECT_EQ(grid.channels, 1);
  EXPECT_EQ(grid.pixels, (std::vector<std::uint8_t>{
                             1, 1, 9, 2, 2,  //
                             1, 1, 9, 2, 2,  //
                             9, 9, 9, 9, 9,  //
                             3, 3, 9, 9, 9,  //
                             3, 3, 9, 9, 9,  //
                         }));
}

TEST(ImageGrid, KeepsRgbPixelsWhole) {
  const std::vector<Image> tiles = {Image{1, 1, 3, {10, 20, 30}}, Image{1, 1, 3, {40, 50, 60}}};
  const Image grid = image_grid(tiles, 2, 0, 0);
  EXPECT_EQ(grid.width, 2);
  EXPECT_EQ(grid.height, 1);
  EXPECT_EQ(grid.pixels, (std::vector<std::uint8_t>{10, 20, 30, 40, 50, 60}));
}

TEST(ImageGrid, IsNoWiderThanItsTiles) {
  const std::vector<Image> tiles = {filled_tile(1), filled_tile(2)};
  const Image grid = image_grid(tiles, 8, 1, 0);
  EXPECT_EQ(grid.width, 5);
  EXPECT_EQ(grid.height, 2);
}

TEST(ImageGrid, RefusesWhatItCannotLayOut) {
  const std::vector<Image> mixed = {filled_tile(1), Image{3, 2, 1, std::vector<std::uint8_t>(6)}};
  EXPECT_THROW(image_grid(mixed, 2, 0, 0), std::invalid_argument);
  EXPECT_THROW(image_grid({}, 2, 0, 0), std::invalid_argument);
  const std::vector<Image> tiles = {filled_tile(1)};
  EXPECT_THROW(image_grid(tiles, 0, 0, 0), std::invalid_argument);
  EXPECT_THROW(image_grid(tiles, 1, -1, 0), std::invalid_argument);
}

// RFC 4648, section 10, and a group that uses the alphabet's last two characters.
TEST(Base64, MatchesTheRfcTestVectors) {
  EXPECT_EQ(base64(bytes_of("")), "");
  EXPECT_EQ(base64(bytes_of("f")), "Zg==");
  EXPECT_EQ(base64(bytes_of("fo")), "Zm8=");
  EXPECT_EQ(base64(bytes_of("foo")), "Zm9v");
  EXPECT_EQ(base64(bytes_of("foob")), "Zm9vYg==");
  EXPECT_EQ(base64(bytes_of("fooba")), "Zm9vYmE=");
  EXPECT_EQ(base64(bytes_of("foobar")), "Zm9vYmFy");
  EXPECT_EQ(base64(bytes_of("\xFB\xFF")), "+/8=");
}

}  // namespace
}  // namespace gpufm
