// A zero size is well formed here (an empty array); whether an empty split is usable is the
// dataset's call, not the file format's.
#include "gpufm/idx.hpp"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>

#include "gpufm/format.hpp"
#include "io/file_error.hpp"
#include "io/gzip_reader.hpp"

namespace gpufm {

namespace {

constexpr std::size_t magic_bytes = 4;
constexpr std::size_t dim_bytes = 4;
constexpr std::uint8_t unsigned_byte_dtype = 0x08;
// 16 GiB: far more than any set this tool trains on, and a bound no product of sizes can wrap.
constexpr std::uint64_t max_payload_bytes = std::uint64_t{1} << 34;

std::string hex_byte(std::uint8_t value) {
  char text[8];
  std::snprintf(text, sizeof text, "0x%02X", value);
  return text;
}

std::string dtype_text(std::uint8_t dtype) {
  const char* name = "unknown";
  switch (dtype) {
    case 0x08: name = "unsigned byte"; break;
    case 0x09: name = "signed byte"; break;
    case 0x0B: name = "int16"; break;
    case 0x0C: name = "int32"; break;
    case 0x0D: name = "float32"; break;
    case 0x0E: name = "float64"; break;
  }
  return hex_byte(dtype) + " (" + name + ")";
}

std::uint32_t big_endian_u32(const std::uint8_t* bytes) {
  return (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) | (std::uint32_t{bytes[2]} << 8) |
         std::uint32_t{bytes[3]};
}

std::string dims_text(const std::vector<std::uint32_t>& dims) {
  std::string text;
  for (std::size_t i = 0; i < dims.size(); ++i) {
    if (i > 0) text += 'x';
    text += std::to_string(dims[i]);
  }
  return text;
}

// The product of the sizes, or nothing when it exceeds max_payload_bytes.
std::optional<std::uint64_t> checked_product(const std::vector<std::uint32_t>& dims) {
  if (std::ranges::find(dims, 0u) != dims.end()) return 0;
  std::uint64_t product = 1;
  for (const std::uint32_t dim : dims) {
    if (product > max_payload_bytes / dim) return std::nullopt;
    product *= dim;
  }
  return product;
}

}  // namespace

IdxArray read_idx_u8(const std::filesystem::path& path, int rank) {
  using io::file_error;
  io::GzipReader reader(path);

  std::vector<std::uint8_t> header;
  reader.append(header, magic_bytes);
  if (header.size() < magic_bytes) {
    throw file_error(path, std::to_string(header.size()) + " bytes, too short for an IDX header");
  }
  if (header[0] != 0 || header[1] != 0) {
    throw file_error(path, "not an IDX file: the magic number starts with " + hex_byte(header[0]) + " " +
                               hex_byte(header[1]) + ", expected two zero bytes");
  }
  if (header[2] != unsigned_byte_dtype) {
    throw file_error(path, "dtype " + dtype_text(header[2]) + ", expected " + dtype_text(unsigned_byte_dtype));
  }
  if (header[3] != rank) {
    throw file_error(path, "rank " + std::to_string(header[3]) + ", expected " + std::to_string(rank));
  }

  const std::size_t header_bytes = magic_bytes + dim_bytes * static_cast<std::size_t>(rank);
  reader.append(header, header_bytes - magic_bytes);
  if (header.size() < header_bytes) {
    throw file_error(path, "header is " + std::to_string(header.size()) + " bytes, but rank " + std::to_string(rank) +
                               " needs " + std::to_string(header_bytes));
  }
  IdxArray array;
  for (int i = 0; i < rank; ++i) array.dims.push_back(big_endian_u32(&header[magic_bytes + dim_bytes * i]));

  const std::string sizes = "the header's sizes " + dims_text(array.dims);
  const std::optional<std::uint64_t> payload_bytes = checked_product(array.dims);
  if (!payload_bytes) {
    throw file_error(path, sizes + " need more than the limit of " +
                               with_commas(static_cast<std::int64_t>(max_payload_bytes)) + " bytes");
  }
  const auto needed = static_cast<std::int64_t>(*payload_bytes);
  reader.append(array.data, *payload_bytes);
  if (array.data.size() < *payload_bytes) {
    throw file_error(path, "payload is " + with_commas(static_cast<std::int64_t>(array.data.size())) + " bytes, but " +
                               sizes + " need " + with_commas(needed));
  }
  const std::uint64_t extra = reader.skip_to_end();
  if (extra > 0) {
    throw file_error(path, with_commas(static_cast<std::int64_t>(extra)) + " extra bytes after the " +
                               with_commas(needed) + " that " + sizes + " need");
  }
  return array;
}

}  // namespace gpufm
