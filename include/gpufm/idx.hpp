// The IDX file format (LeCun's MNIST format): a big-endian header (magic with dtype and rank,
// then one 32-bit size per dimension) followed by the payload, optionally gzip-compressed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

namespace gpufm {

struct IdxArray {
  std::vector<std::uint32_t> dims;  // as in the header, outermost first
  std::vector<std::uint8_t> data;   // row-major, product(dims) bytes
};

// Reads an IDX file of unsigned bytes (dtype 0x08) of the given rank, raw or gzip-compressed
// (detected from the content, not the name). Checks the magic, the dtype, the rank, that the
// sizes multiply without overflow, that the payload has exactly that many bytes, and the gzip
// stream's integrity. Throws InputError naming the file and the problem.
IdxArray read_idx_u8(const std::filesystem::path& path, int rank);

}  // namespace gpufm
