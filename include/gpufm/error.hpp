// Errors the library reports. The library never prints or exits: it throws one of these, and
// the CLI prints what() as one line and exits with exit_code().
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>

namespace gpufm {

// The process exit codes documented in the README.
enum class ExitCode : int {
  ok = 0,
  training_failed = 1,  // training diverged, or the device failed
  bad_input = 2,        // a bad file, model, flag or value
  no_gpu = 3,           // --device cuda asked for a GPU that cannot be had
  interrupted = 130,
};

class Error : public std::runtime_error {
 public:
  Error(ExitCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ExitCode exit_code() const { return code_; }

 private:
  ExitCode code_;
};

// Bad input of any kind: a file, a model, a flag or a value. The message names the file (or
// file:line:col, or the flag) and says what was expected.
class InputError : public Error {
 public:
  explicit InputError(const std::string& message) : Error(ExitCode::bad_input, message) {}
};

// The system refused what the run needed, such as writing a file to a full or read-only disk:
// not the user's input, so it fails the run. The message names the file and the system's reason.
class IoError : public Error {
 public:
  explicit IoError(const std::string& message) : Error(ExitCode::training_failed, message) {}
};

// Training diverged: a step's loss was NaN or infinite (TrainSettings::on_nan). The message names
// the epoch and the step, and what the run directory kept.
class Diverged : public Error {
 public:
  explicit Diverged(const std::string& message) : Error(ExitCode::training_failed, message) {}
};

// The GPU failed a call (a CUDA, cuBLAS or cuDNN status, or memory it could not give): the message
// names the call, the file and the line, or for memory how much was asked for and how much is free.
class DeviceError : public Error {
 public:
  explicit DeviceError(const std::string& message) : Error(ExitCode::training_failed, message) {}
};

// --device cuda (or cuda:N) asked for a GPU that this machine cannot give: none is usable (the
// message gives the driver's answer), or none has that index. A code of its own, so that a script
// can fall back to the CPU.
class NoGpu : public Error {
 public:
  explicit NoGpu(const std::string& message) : Error(ExitCode::no_gpu, message) {}
};

// Training stopped between two steps because the caller asked it to (Ctrl-C in the CLI), after
// saving the run's state in its run directory, from which resuming continues exactly. The
// message says where it stopped and where it saved.
class Interrupted : public Error {
 public:
  Interrupted(const std::string& message, std::filesystem::path run_dir)
      : Error(ExitCode::interrupted, message), run_dir_(std::move(run_dir)) {}
  const std::filesystem::path& run_dir() const { return run_dir_; }

 private:
  std::filesystem::path run_dir_;
};

}  // namespace gpufm
