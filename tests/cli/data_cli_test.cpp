// `gpufm data` run as a user runs it: exit codes, stdout, and the one-line error on stderr.
#include <gtest/gtest.h>

#include <algorithm>

#include "support/expect_error.hpp"
#include "support/idx_files.hpp"
#include "support/run_command.hpp"
#include "support/temp_dir.hpp"

namespace gpufm::test {

namespace {

namespace fs = std::filesystem;

// A failure is exactly one line on stderr, prefixed as main() prints it, and nothing on stdout.
void expect_one_line_error(const CommandResult& result, const std::vector<std::string>& parts) {
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err.rfind("gpufm: error: ", 0), 0u) << result.err;
  EXPECT_EQ(std::ranges::count(result.err, '\n'), 1) << result.err;
  expect_contains(result.err, parts);
}

TEST(DataCli, ReportsAGeneratedSet) {
  TempDir dir;
  const DataPaths paths = write_set(dir.path(), {.compression = Compression::gzip});
  const CommandResult result = run_gpufm({"data", dir.path().string()});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.err, "");
  expect_contains(result.out, {"unrecognised set", "Image size:  4x3, 1 channel", "train       6", "test        3",
                               paths.train_images.string(), paths.test_labels.string()});
  // --data names the directory too, as for every command that reads data (and gpufm.toml's `data`).
  const CommandResult flagged = run_gpufm({"data", "--data", dir.path().string()});
  EXPECT_EQ(flagged.exit_code, 0) << flagged.err;
  EXPECT_EQ(flagged.out, result.out);
}

TEST(DataCli, CorruptFileExitsTwoNamingTheFile) {
  TempDir dir;
  const DataPaths paths = write_set(dir.path(), {.compression = Compression::gzip});
  write_idx(paths.train_images, {{6, 4, 3}, varied_bytes(72), Compression::gzip, IdxFlaw::bad_gzip_crc});
  expect_one_line_error(run_gpufm({"data", dir.path().string()}), {paths.train_images.string(), "incorrect data check"});
}

TEST(DataCli, MissingDirectoryExitsTwo) {
  TempDir dir;
  const auto missing = dir / "nowhere";
  expect_one_line_error(run_gpufm({"data", missing.string()}), {missing.string(), "no such directory"});
}

TEST(DataCli, TakesTheFourFilesByName) {
  TempDir dir;
  const DataPaths standard = write_set(dir.path());
  const DataPaths renamed = {dir / "a", dir / "b", dir / "c", dir / "d"};
  fs::rename(standard.train_images, renamed.train_images);
  fs::rename(standard.train_labels, renamed.train_labels);
  fs::rename(standard.test_images, renamed.test_images);
  fs::rename(standard.test_labels, renamed.test_labels);
  const CommandResult result = run_gpufm({"data", "--train-images", renamed.train_images.string(), "--train-labels",
                                          renamed.train_labels.string(), "--test-images", renamed.test_images.string(),
                                          "--test-labels", renamed.test_labels.string()});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  expect_contains(result.out, {"train       6", "  train images  " + renamed.train_images.string(),
                               "  test labels   " + renamed.test_labels.string()});
}

TEST(DataCli, SomeOfTheFourFilesExitsTwo) {
  TempDir dir;
  const DataPaths paths = write_set(dir.path());
  expect_one_line_error(run_gpufm({"data", "--train-images", paths.train_images.string(), "--train-labels",
                                   paths.train_labels.string()}),
                        {"give all of --train-images, --train-labels, --test-images, --test-labels, or none",
                         "missing --test-images, --test-labels"});
}

TEST(DataCli, DirectoryAndFilesTogetherExitTwo) {
  TempDir dir;
  const DataPaths paths = write_set(dir.path());
  const CommandResult result =
      run_gpufm({"data", dir.path().string(), "--train-images", paths.train_images.string(), "--train-labels",
                 paths.train_labels.string(), "--test-images", paths.test_images.string(), "--test-labels",
                 paths.test_labels.string()});
  expect_one_line_error(result, {"--data excludes --train-images"});
}

}  // namespace

}  // namespace gpufm::test
