#include "support/idx_files.hpp"

#include <zlib.h>

#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

namespace gpufm::test {

namespace {

namespace fs = std::filesystem;

constexpr std::size_t gzip_trailer_bytes = 8;  // CRC-32, then the length, both little-endian

std::vector<std::uint8_t> read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const fs::path& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("could not write " + path.string());
}

void write_gzip(const fs::path& path, const std::vector<std::uint8_t>& bytes) {
  gzFile file = gzopen(path.c_str(), "wb");
  if (file == nullptr) throw std::runtime_error("could not open " + path.string());
  const int written = gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size()));
  if (gzclose(file) != Z_OK || written != static_cast<int>(bytes.size())) {
    throw std::runtime_error("could not write " + path.string());
  }
}

void append_big_endian(std::vector<std::uint8_t>& bytes, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<std::uint8_t>(value >> shift));
}

// The uncompressed file, with any flaw that lives in the IDX content.
std::vector<std::uint8_t> idx_bytes(const IdxFile& file) {
  const bool overflow = file.flaw == IdxFlaw::overflowing_dims;
  const auto rank = static_cast<std::uint8_t>(file.dims.size() + (file.flaw == IdxFlaw::extra_rank ? 1 : 0));
  std::vector<std::uint8_t> bytes = {0, 0, 0x08, rank};
  if (file.flaw == IdxFlaw::bad_magic) bytes[0] = 0x12;
  if (file.flaw == IdxFlaw::float_dtype) bytes[2] = 0x0D;
  for (const std::uint32_t dim : file.dims) append_big_endian(bytes, overflow ? 0xFFFFFFFFu : dim);
  bytes.insert(bytes.end(), file.payload.begin(), file.payload.end());
  if (file.flaw == IdxFlaw::truncated_payload) bytes.pop_back();
  if (file.flaw == IdxFlaw::trailing_bytes) bytes.insert(bytes.end(), 5, 0);
  return bytes;
}

void damage_gzip_file(const fs::path& path, IdxFlaw flaw) {
  std::vector<std::uint8_t> bytes = read_bytes(path);
  if (flaw == IdxFlaw::bad_gzip_crc) bytes[bytes.size() - gzip_trailer_bytes] ^= 0xFF;
  if (flaw == IdxFlaw::truncated_gzip) bytes.resize(bytes.size() - gzip_trailer_bytes - 1);
  write_bytes(path, bytes);
}

std::vector<std::uint8_t> checker_pixels(std::size_t count) {
  std::vector<std::uint8_t> pixels(count);
  for (std::size_t i = 0; i < count; ++i) pixels[i] = i % 2 == 0 ? 0 : 255;
  return pixels;
}

}  // namespace

void write_idx(const fs::path& path, const IdxFile& file) {
  const bool gzip_flaw = file.flaw == IdxFlaw::bad_gzip_crc || file.flaw == IdxFlaw::truncated_gzip;
  if (file.compression == Compression::raw) {
    if (gzip_flaw) throw std::invalid_argument("a gzip flaw needs Compression::gzip");
    write_bytes(path, idx_bytes(file));
    return;
  }
  write_gzip(path, idx_bytes(file));
  if (gzip_flaw) damage_gzip_file(path, file.flaw);
}

std::vector<std::uint8_t> varied_bytes(std::size_t count) {
  std::vector<std::uint8_t> bytes(count);
  for (std::size_t i = 0; i < count; ++i) bytes[i] = static_cast<std::uint8_t>((i * 7 + i / 251) % 256);
  return bytes;
}

void write_images(const fs::path& path, std::uint32_t count, std::uint32_t rows, std::uint32_t cols,
                  Compression compression) {
  write_idx(path, {{count, rows, cols}, checker_pixels(std::size_t{count} * rows * cols), compression});
}

void write_labels(const fs::path& path, const std::vector<std::uint8_t>& labels, Compression compression) {
  write_idx(path, {{static_cast<std::uint32_t>(labels.size())}, labels, compression});
}

DataPaths write_set(const fs::path& dir, const SetSpec& spec) {
  const auto file_name = [&](std::string name) {
    if (spec.dotted_names) name[name.find("-idx")] = '.';
    return dir / (spec.compression == Compression::gzip ? name + ".gz" : name);
  };
  const DataPaths paths = {file_name("train-images-idx3-ubyte"), file_name("train-labels-idx1-ubyte"),
                           file_name("t10k-images-idx3-ubyte"), file_name("t10k-labels-idx1-ubyte")};
  const auto count = [](const std::vector<std::uint8_t>& labels) { return static_cast<std::uint32_t>(labels.size()); };
  write_images(paths.train_images, count(spec.train_labels), spec.rows, spec.cols, spec.compression);
  write_labels(paths.train_labels, spec.train_labels, spec.compression);
  write_images(paths.test_images, count(spec.test_labels), spec.rows, spec.cols, spec.compression);
  write_labels(paths.test_labels, spec.test_labels, spec.compression);
  return paths;
}

}  // namespace gpufm::test
