// PNG files of Images, encoded with libpng: for the run directory, for embedding in the HTML
// report (base64.hpp), and as TensorBoard image summaries (tfevents.hpp).
#pragma once

#include <cstddef>
#include <filesystem>
#include <vector>

#include "gpufm/image.hpp"

namespace gpufm {

// The PNG file's bytes (8 bits per channel, gray or RGB as the image is). Throws
// std::invalid_argument for an image that is not 1 to 1,000,000 pixels on each side (the most
// libpng reads by default), has other than 1 or 3 channels, or whose pixel count does not match;
// IoError when libpng fails.
std::vector<std::byte> encode_png(const Image& image);

// encode_png written with write_file_atomically (IoError naming the file when the disk refuses it).
void write_png(const std::filesystem::path& path, const Image& image);

}  // namespace gpufm
