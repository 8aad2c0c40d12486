#include <gtest/gtest.h>

#include "gpufm/idx.hpp"
#include "support/expect_error.hpp"
#include "support/idx_files.hpp"
#include "support/temp_dir.hpp"

namespace gpufm::test {

namespace {

const std::vector<std::uint32_t> image_dims = {3, 4, 5};
constexpr std::size_t image_bytes = 3 * 4 * 5;

// An images file of image_dims with the given flaw, and the message words it must produce.
void expect_flaw_reported(IdxFlaw flaw, std::vector<std::string> words) {
  TempDir dir;
  const auto path = dir / "train-images-idx3-ubyte";
  write_idx(path, {image_dims, varied_bytes(image_bytes), Compression::raw, flaw});
  words.push_back(path.string());
  expect_input_error([&] { read_idx_u8(path, 3); }, words);
}

TEST(IdxRead, ReadsImagesBackExactly) {
  for (const Compression compression : {Compression::raw, Compression::gzip}) {
    TempDir dir;
    write_idx(dir / "images", {image_dims, varied_bytes(image_bytes), compression});
    const IdxArray array = read_idx_u8(dir / "images", 3);
    EXPECT_EQ(array.dims, image_dims);
    EXPECT_EQ(array.data, varied_bytes(image_bytes));
  }
}

TEST(IdxRead, ReadsLabelsBackExactly) {
  for (const Compression compression : {Compression::raw, Compression::gzip}) {
    TempDir dir;
    write_idx(dir / "labels", {{7}, {9, 8, 7, 0, 1, 2, 255}, compression});
    const IdxArray array = read_idx_u8(dir / "labels", 1);
    EXPECT_EQ(array.dims, std::vector<std::uint32_t>{7});
    EXPECT_EQ(array.data, (std::vector<std::uint8_t>{9, 8, 7, 0, 1, 2, 255}));
  }
}

// An empty array is well formed; the dataset layer is the one that rejects an empty split.
TEST(IdxRead, AcceptsZeroSizes) {
  TempDir dir;
  write_idx(dir / "images", {{0, 28, 28}, {}});
  const IdxArray array = read_idx_u8(dir / "images", 3);
  EXPECT_EQ(array.dims, (std::vector<std::uint32_t>{0, 28, 28}));
  EXPECT_TRUE(array.data.empty());
}

TEST(IdxRead, BadMagicIsReported) {
  expect_flaw_reported(IdxFlaw::bad_magic, {"not an IDX file", "0x12 0x00", "expected two zero bytes"});
}

TEST(IdxRead, WrongDtypeIsNamed) {
  expect_flaw_reported(IdxFlaw::float_dtype, {"dtype 0x0D (float32), expected 0x08 (unsigned byte)"});
}

TEST(IdxRead, WrongRankIsReported) { expect_flaw_reported(IdxFlaw::extra_rank, {"rank 4, expected 3"}); }

TEST(IdxRead, TruncatedPayloadSaysHowManyBytesItHasAndNeeds) {
  expect_flaw_reported(IdxFlaw::truncated_payload, {"payload is 59 bytes", "the header's sizes 3x4x5 need 60"});
}

TEST(IdxRead, TrailingBytesAreCounted) {
  expect_flaw_reported(IdxFlaw::trailing_bytes, {"5 extra bytes after the 60", "3x4x5"});
}

TEST(IdxRead, OverflowingSizesAreRejectedBeforeReading) {
  expect_flaw_reported(IdxFlaw::overflowing_dims,
                       {"4294967295x4294967295x4294967295", "need more than the limit of 17,179,869,184 bytes"});
}

// A huge count with little data behind it must fail on the data, not on a huge allocation.
TEST(IdxRead, HugeCountWithShortPayloadReportsTheShortfall) {
  TempDir dir;
  const auto path = dir / "labels";
  write_idx(path, {{4000000000u}, varied_bytes(10)});
  expect_input_error([&] { read_idx_u8(path, 1); },
                     {path.string(), "payload is 10 bytes", "sizes 4000000000 need 4,000,000,000"});
}

TEST(IdxRead, FileShorterThanTheMagicIsReported) {
  TempDir dir;
  const auto path = dir.write("labels", std::string("\0\0", 2));
  expect_input_error([&] { read_idx_u8(path, 1); }, {path.string(), "2 bytes, too short for an IDX header"});
}

TEST(IdxRead, HeaderCutInsideTheSizesIsReported) {
  TempDir dir;
  const auto path = dir.write("images", std::string("\0\0\x08\x03\0\0\0\x02", 8));
  expect_input_error([&] { read_idx_u8(path, 3); }, {path.string(), "header is 8 bytes, but rank 3 needs 16"});
}

}  // namespace

}  // namespace gpufm::test
