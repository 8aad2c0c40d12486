// Reads a file through zlib, which inflates gzip data and passes any other file through as it
// is, so callers treat raw and compressed files alike. zlib's errors become InputError naming
// the file.
#pragma once

#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <vector>

namespace gpufm::io {

class GzipReader {
 public:
  explicit GzipReader(const std::filesystem::path& path);
  ~GzipReader();
  GzipReader(const GzipReader&) = delete;
  GzipReader& operator=(const GzipReader&) = delete;

  // Appends up to max_bytes to out, fewer only where the data ends, and returns how many. The
  // buffer grows as data arrives, so a size taken from an untrusted header costs no more memory
  // than the data that is really there.
  std::size_t append(std::vector<std::uint8_t>& out, std::size_t max_bytes);

  // Reads and discards the rest of the data, returning how many bytes there were. gzip checks
  // its CRC and length only at the end of the stream, so this also completes that check.
  std::uint64_t skip_to_end();

 private:
  // Fills [out, out + size) unless the data ends first; returns how many bytes it read.
  std::size_t read_some(std::uint8_t* out, std::size_t size);
  [[noreturn]] void throw_zlib_error() const;

  std::filesystem::path path_;
  gzFile file_;
};

}  // namespace gpufm::io
