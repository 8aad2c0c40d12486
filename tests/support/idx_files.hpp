// Small IDX files for tests, written raw or gzip-compressed, optionally with one flaw that a
// reader must catch.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include "gpufm/dataset.hpp"

namespace gpufm::test {

enum class Compression { raw, gzip };

enum class IdxFlaw {
  none,
  bad_magic,          // the magic number's first byte is not zero
  float_dtype,        // dtype 0x0D (float32) instead of 0x08 (unsigned byte)
  extra_rank,         // the rank byte says one dimension more than the sizes written
  truncated_payload,  // the payload lacks its last byte
  trailing_bytes,     // 5 bytes follow the payload
  overflowing_dims,   // every size is 0xFFFFFFFF
  bad_gzip_crc,       // gzip only: the trailer's CRC-32 does not match the data
  truncated_gzip,     // gzip only: the file ends inside the compressed data
};

// The sizes and payload are written as given, so they may disagree on purpose.
struct IdxFile {
  std::vector<std::uint32_t> dims;
  std::vector<std::uint8_t> payload;
  Compression compression = Compression::raw;
  IdxFlaw flaw = IdxFlaw::none;
};

void write_idx(const std::filesystem::path& path, const IdxFile& file);

// Bytes that differ from their neighbours and do not repeat with a power-of-two period, so a
// misplaced or reordered byte shows in a read-back comparison.
std::vector<std::uint8_t> varied_bytes(std::size_t count);

// Images whose pixels alternate 0 and 255: a mean and std of exactly 0.5 in [0, 1] units when the
// pixel count is even.
void write_images(const std::filesystem::path& path, std::uint32_t count, std::uint32_t rows, std::uint32_t cols,
                  Compression compression = Compression::raw);
void write_labels(const std::filesystem::path& path, const std::vector<std::uint8_t>& labels,
                  Compression compression = Compression::raw);

struct SetSpec {
  std::vector<std::uint8_t> train_labels = {0, 1, 2, 0, 1, 0};
  std::vector<std::uint8_t> test_labels = {2, 1, 0};
  std::uint32_t rows = 4, cols = 3;
  Compression compression = Compression::raw;
  bool dotted_names = false;  // "train-images.idx3-ubyte" rather than "train-images-idx3-ubyte"
};

// Writes a set's four files into dir under its standard names and returns their paths.
DataPaths write_set(const std::filesystem::path& dir, const SetSpec& spec = {});

}  // namespace gpufm::test
