#include "gpufm/atomic_file.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "support/expect_error.hpp"
#include "support/temp_dir.hpp"

namespace gpufm::test {

namespace {

// The names in a directory: a failed write must leave no temporary file behind.
std::vector<std::string> names_in(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) names.push_back(entry.path().filename().string());
  std::ranges::sort(names);
  return names;
}

TEST(AtomicFile, WritesANewFile) {
  TempDir dir;
  write_file_atomically(dir / "notes.txt", "first line\n");
  EXPECT_EQ(read_file(dir / "notes.txt"), "first line\n");
  EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"notes.txt"});
}

TEST(AtomicFile, ReplacesTheContentWhole) {
  TempDir dir;
  const auto path = dir.write("weights.bin", "a much longer old content than the new one");
  const std::vector<std::byte> bytes = {std::byte{0}, std::byte{1}, std::byte{255}};
  write_file_atomically(path, bytes);
  EXPECT_EQ(read_file(path), std::string("\x00\x01\xff", 3));
  EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"weights.bin"});
}

TEST(AtomicFile, MissingDirectoryIsAnIoError) {
  TempDir dir;
  const auto path = dir / "no-such-dir" / "weights.bin";
  try {
    write_file_atomically(path, "content");
    FAIL() << "no error for a missing directory";
  } catch (const IoError& e) {
    EXPECT_EQ(e.exit_code(), ExitCode::training_failed);
    EXPECT_EQ(std::string(e.what()), "could not write " + path.string() + ": " + std::strerror(ENOENT));
  }
  EXPECT_TRUE(names_in(dir.path()).empty());
}

TEST(AtomicFile, ReadOnlyDirectoryKeepsTheOldFile) {
  if (::getuid() == 0) GTEST_SKIP() << "root writes into read-only directories";
  TempDir dir;
  const auto path = dir.write("weights.bin", "old");
  std::filesystem::permissions(dir.path(), std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
  const std::string message = error_of<IoError>([&] { write_file_atomically(path, "new"); });
  std::filesystem::permissions(dir.path(), std::filesystem::perms::owner_all);
  expect_contains(message, {"could not write " + path.string(), std::strerror(EACCES)});
  EXPECT_EQ(read_file(path), "old");
  EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"weights.bin"});
}

// How the child of FullDiskKeepsTheOldFile ends; the parent checks which.
enum ChildOutcome : int { failed_as_expected = 0, wrong_message = 1, wrote_past_the_limit = 2 };

// A file size limit makes write() stop part way with EFBIG, as a full disk stops it with ENOSPC.
// The limit binds the whole process, so the write runs in a child.
TEST(AtomicFile, FullDiskKeepsTheOldFile) {
  TempDir dir;
  const auto path = dir.write("weights.bin", "old");
  constexpr rlim_t limit_bytes = 4096;
  const pid_t child = ::fork();
  ASSERT_GE(child, 0) << std::strerror(errno);
  if (child == 0) {
    ::signal(SIGXFSZ, SIG_IGN);  // else the kernel kills the process instead of failing write()
    const rlimit limit = {limit_bytes, limit_bytes};
    ::setrlimit(RLIMIT_FSIZE, &limit);
    try {
      write_file_atomically(path, std::string(4 * limit_bytes, 'x'));
    } catch (const IoError& e) {
      const std::string expected = "could not write " + path.string() + ": " + std::strerror(EFBIG);
      ::_exit(e.what() == expected ? failed_as_expected : wrong_message);
    }
    ::_exit(wrote_past_the_limit);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << "the child was killed by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), failed_as_expected);
  EXPECT_EQ(read_file(path), "old");
  EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"weights.bin"});
}

}  // namespace

}  // namespace gpufm::test
