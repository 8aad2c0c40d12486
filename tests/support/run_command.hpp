// Runs the gpufm binary as a user would, capturing its exit code, stdout and stderr.
#pragma once

#include <string>
#include <vector>

namespace gpufm::test {

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs GPUFM_BINARY with the given arguments (no shell involved) in the given directory
// (the current one when empty).
CommandResult run_gpufm(const std::vector<std::string>& args, const std::string& workdir = "");

}  // namespace gpufm::test
