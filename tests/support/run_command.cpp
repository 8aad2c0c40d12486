#include "support/run_command.hpp"

#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace gpufm::test {

namespace {

// Whether the process has ended, leaving it for waitpid to collect.
bool has_ended(pid_t pid) {
  siginfo_t info{};
  return waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid != 0;
}

// GPUFM_BINARY and `args` as execv takes them: pointers into `text`, which must outlive them.
std::vector<char*> exec_arguments(const std::vector<std::string>& args, std::vector<std::string>& text) {
  text = {GPUFM_BINARY};
  text.insert(text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& arg : text) argv.push_back(arg.data());
  argv.push_back(nullptr);
  return argv;
}

int exit_code_of(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status); }

}  // namespace

RunningGpufm::RunningGpufm(const std::vector<std::string>& args, const std::string& workdir, std::optional<std::uint64_t> file_size_limit) {
  const std::string out_path = (capture_ / "stdout").string();
  const std::string err_path = (capture_ / "stderr").string();

  std::vector<std::string> argv_text;
  const std::vector<char*> argv = exec_arguments(args, argv_text);

  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    const int out_fd = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err_fd = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int null_fd = open("/dev/null", O_RDONLY);
    if (out_fd < 0 || err_fd < 0 || null_fd < 0) _exit(126);
    dup2(null_fd, 0);
    dup2(out_fd, 1);
    dup2(err_fd, 2);
    if (!workdir.empty() && chdir(workdir.c_str()) != 0) _exit(126);
    if (file_size_limit) {
      const rlimit limit{*file_size_limit, *file_size_limit};
      if (setrlimit(RLIMIT_FSIZE, &limit) != 0) _exit(126);
    }
    execv(argv[0], argv.data());
    _exit(127);
  }
}

RunningGpufm::~RunningGpufm() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
}

bool RunningGpufm::wait_for_output(const std::string& text, std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (read_file(capture_ / "stdout").find(text) == std::string::npos) {
    if (std::chrono::steady_clock::now() > deadline || has_ended(pid_)) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

void RunningGpufm::send(int signal) const { kill(pid_, signal); }

CommandResult RunningGpufm::finish() {
  int status = 0;
  if (waitpid(pid_, &status, 0) != pid_) throw std::runtime_error("waitpid failed");
  pid_ = -1;
  CommandResult result;
  result.exit_code = exit_code_of(status);
  result.out = read_file(capture_ / "stdout");
  result.err = read_file(capture_ / "stderr");
  return result;
}

CommandResult run_gpufm(const std::vector<std::string>& args, const std::string& workdir) {
  return RunningGpufm(args, workdir).finish();
}

CommandResult run_gpufm_on_terminal(const std::vector<std::string>& args) {
  std::vector<std::string> argv_text;
  const std::vector<char*> argv = exec_arguments(args, argv_text);
  winsize size{};
  size.ws_row = 24;
  size.ws_col = 80;
  int terminal = -1;
  const pid_t pid = forkpty(&terminal, nullptr, nullptr, &size);
  if (pid < 0) throw std::runtime_error(std::string("forkpty failed: ") + std::strerror(errno));
  if (pid == 0) {
    execv(argv[0], argv.data());
    _exit(127);
  }
  CommandResult result;
  char buffer[4096];
  // Reading ends with EIO once the program's side of the terminal has closed.
  for (ssize_t got = 0; (got = read(terminal, buffer, sizeof buffer)) != 0;) {
    if (got > 0) {
      result.out.append(buffer, static_cast<std::size_t>(got));
    } else if (errno != EINTR) {
      break;
    }
  }
  close(terminal);
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) throw std::runtime_error("waitpid failed");
  result.exit_code = exit_code_of(status);
  return result;
}

CommandResult run_gpufm_with_file_size_limit(const std::vector<std::string>& args, std::uint64_t bytes) {
  return RunningGpufm(args, "", bytes).finish();
}

}  // namespace gpufm::test
