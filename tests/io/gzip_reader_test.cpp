// The gzip layer, seen through read_idx_u8: the reader's header is private to the library.
#include <gtest/gtest.h>

#include "gpufm/idx.hpp"
#include "support/expect_error.hpp"
#include "support/idx_files.hpp"
#include "support/temp_dir.hpp"

namespace gpufm::test {

namespace {

const std::vector<std::uint32_t> label_dims = {300};

IdxFile labels_file(Compression compression, IdxFlaw flaw = IdxFlaw::none) {
  return {label_dims, varied_bytes(label_dims[0]), compression, flaw};
}

TEST(GzipReader, ReadsRawAndGzipFilesAlike) {
  TempDir dir;
  write_idx(dir / "raw", labels_file(Compression::raw));
  write_idx(dir / "packed", labels_file(Compression::gzip));
  EXPECT_EQ(read_idx_u8(dir / "raw", 1).data, varied_bytes(label_dims[0]));
  EXPECT_EQ(read_idx_u8(dir / "packed", 1).data, varied_bytes(label_dims[0]));
}

TEST(GzipReader, DetectsCompressionFromContentNotName) {
  TempDir dir;
  write_idx(dir / "raw.gz", labels_file(Compression::raw));
  write_idx(dir / "packed.idx", labels_file(Compression::gzip));
  EXPECT_EQ(read_idx_u8(dir / "raw.gz", 1).data, varied_bytes(label_dims[0]));
  EXPECT_EQ(read_idx_u8(dir / "packed.idx", 1).data, varied_bytes(label_dims[0]));
}

// The reader fills its buffer chunk by chunk (1 MiB each); this payload spans several.
TEST(GzipReader, ReadsPayloadsSpanningManyChunks) {
  TempDir dir;
  const std::vector<std::uint32_t> dims = {3, 1000, 1001};
  const std::vector<std::uint8_t> payload = varied_bytes(std::size_t{3} * 1000 * 1001);
  write_idx(dir / "images.gz", {dims, payload, Compression::gzip});
  const IdxArray array = read_idx_u8(dir / "images.gz", 3);
  EXPECT_EQ(array.dims, dims);
  EXPECT_EQ(array.data, payload);
}

TEST(GzipReader, MissingFileIsReported) {
  TempDir dir;
  const auto path = dir / "absent.gz";
  expect_input_error([&] { read_idx_u8(path, 1); }, {path.string() + ": no such file"});
}

TEST(GzipReader, CorruptCrcIsReported) {
  TempDir dir;
  const auto path = dir / "labels.gz";
  write_idx(path, labels_file(Compression::gzip, IdxFlaw::bad_gzip_crc));
  expect_input_error([&] { read_idx_u8(path, 1); }, {path.string(), "corrupt gzip data", "incorrect data check"});
}

TEST(GzipReader, TruncatedStreamIsReported) {
  TempDir dir;
  const auto path = dir / "labels.gz";
  write_idx(path, labels_file(Compression::gzip, IdxFlaw::truncated_gzip));
  expect_input_error([&] { read_idx_u8(path, 1); }, {path.string(), "truncated gzip stream", "unexpected end of file"});
}

}  // namespace

}  // namespace gpufm::test
