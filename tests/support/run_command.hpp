// Runs the gpufm binary as a user would, capturing its exit code, stdout and stderr.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "support/temp_dir.hpp"

namespace gpufm::test {

struct CommandResult {
  int exit_code = -1;  // 128 + the signal's number when a signal ended it, as a shell reports it
  std::string out;     // stdout
  std::string err;     // stderr
};

// Runs GPUFM_BINARY with the given arguments (no shell involved) in the given directory
// (the current one when empty).
CommandResult run_gpufm(const std::vector<std::string>& args, const std::string& workdir = "");

// As run_gpufm, with no file it writes allowed to grow past `bytes` (RLIMIT_FSIZE): a disk that
// fills up, for the file being written.
CommandResult run_gpufm_with_file_size_limit(const std::vector<std::string>& args, std::uint64_t bytes);

// As run_gpufm, on a terminal of its own (a pseudo-terminal, 80 columns): `out` is what the
// terminal showed, stdout and stderr together, each "\n" shown as "\r\n".
CommandResult run_gpufm_on_terminal(const std::vector<std::string>& args);

// GPUFM_BINARY started in the background, for a test that signals it while it runs. Its output
// goes to files, read as it grows; a process still running when this ends is killed.
class RunningGpufm {
 public:
  explicit RunningGpufm(const std::vector<std::string>& args, const std::string& workdir = "",
                        std::optional<std::uint64_t> file_size_limit = std::nullopt);
  ~RunningGpufm();
  RunningGpufm(const RunningGpufm&) = delete;
  RunningGpufm& operator=(const RunningGpufm&) = delete;

  // Whether its stdout shows `text` within `timeout`.
  bool wait_for_output(const std::string& text, std::chrono::milliseconds timeout) const;
  void send(int signal) const;
  // Waits for it to end.
  CommandResult finish();

 private:
  TempDir capture_;
  pid_t pid_ = -1;
};

}  // namespace gpufm::test
