#include "io/gzip_reader.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <string>

#include "gpufm/text_file.hpp"
#include "io/file_error.hpp"

namespace gpufm::io {

namespace {

constexpr std::size_t chunk_bytes = std::size_t{1} << 20;
// The most memory reserved ahead of the data; beyond it the buffer grows as bytes arrive.
constexpr std::size_t reserve_cap_bytes = std::size_t{64} << 20;
constexpr unsigned zlib_buffer_bytes = 256u << 10;

gzFile open_file(const std::filesystem::path& path) {
  if (const std::optional<std::string> why = why_not_a_file(path, "file")) throw file_error(path, *why);
  return gzopen(path.c_str(), "rb");
}

}  // namespace

GzipReader::GzipReader(const std::filesystem::path& path) : path_(path), file_(open_file(path)) {
  if (file_ == nullptr) {
    throw file_error(path_, std::string("cannot open: ") + std::strerror(errno));
  }
  gzbuffer(file_, zlib_buffer_bytes);
}

GzipReader::~GzipReader() { gzclose(file_); }

std::size_t GzipReader::append(std::vector<std::uint8_t>& out, std::size_t max_bytes) {
  out.reserve(out.size() + std::min(max_bytes, reserve_cap_bytes));
  std::size_t appended = 0;
  while (appended < max_bytes) {
    const std::size_t wanted = std::min(chunk_bytes, max_bytes - appended);
    const std::size_t old_size = out.size();
    out.resize(old_size + wanted);
    const std::size_t got = read_some(out.data() + old_size, wanted);
    out.resize(old_size + got);
    appended += got;
    if (got < wanted) break;
  }
  return appended;
}

std::uint64_t GzipReader::skip_to_end() {
  std::vector<std::uint8_t> scratch(chunk_bytes);
  std::uint64_t skipped = 0;
  std::size_t got = 0;
  do {
    got = read_some(scratch.data(), scratch.size());
    skipped += got;
  } while (got == scratch.size());
  return skipped;
}

std::size_t GzipReader::read_some(std::uint8_t* out, std::size_t size) {
  std::size_t done = 0;
  while (done < size) {
    const auto wanted = static_cast<unsigned>(std::min<std::size_t>(size - done, INT_MAX));
    const int got = gzread(file_, out + done, wanted);
    if (got < 0) throw_zlib_error();
    if (got == 0) {
      // zlib reports a truncated stream as a plain end of data, with the error kept aside.
      int code = Z_OK;
      gzerror(file_, &code);
      if (code != Z_OK) throw_zlib_error();
      break;
    }
    done += static_cast<std::size_t>(got);
  }
  return done;
}

void GzipReader::throw_zlib_error() const {
  int code = Z_OK;
  std::string detail = gzerror(file_, &code);
  // zlib prefixes its message with the path it was opened with; the InputError adds it once.
  const std::string zlib_prefix = path_.string() + ": ";
  if (detail.starts_with(zlib_prefix)) detail.erase(0, zlib_prefix.size());
  switch (code) {
    case Z_BUF_ERROR:
      throw file_error(path_, "truncated gzip stream (" + detail + ")");
    case Z_DATA_ERROR:
      throw file_error(path_, "corrupt gzip data: " + detail);
    default:
      throw file_error(path_, "read error: " + detail);
  }
}

}  // namespace gpufm::io
