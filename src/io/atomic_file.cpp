#include "gpufm/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "gpufm/error.hpp"

namespace gpufm {

namespace {

IoError write_error(const std::filesystem::path& path, int error_number) {
  return IoError("could not write " + path.string() + ": " + std::strerror(error_number));
}

// The temporary file next to the target, removed again unless it replaced the target.
class TemporaryFile {
 public:
  explicit TemporaryFile(const std::filesystem::path& target)
      : target_(target), path_(target.string() + ".tmp-" + std::to_string(::getpid())) {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd_ < 0) throw write_error(target_, errno);
  }

  ~TemporaryFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!replaced_target_) ::unlink(path_.c_str());
  }

  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;

  // write() may take fewer bytes than offered (a nearly full disk, a signal); keep offering the rest.
  void write_all(std::span<const std::byte> bytes) {
    while (!bytes.empty()) {
      const ssize_t written = ::write(fd_, bytes.data(), bytes.size());
      if (written < 0) {
        if (errno == EINTR) continue;
        throw write_error(target_, errno);
      }
      bytes = bytes.subspan(static_cast<std::size_t>(written));
    }
  }

  // The data reaches the disk before the rename, so the rename can never expose a file whose
  // blocks are still unwritten. close() is checked too: some file systems report errors there.
  void replace_target() {
    if (::fsync(fd_) != 0) throw write_error(target_, errno);
    if (::close(std::exchange(fd_, -1)) != 0) throw write_error(target_, errno);
    if (::rename(path_.c_str(), target_.c_str()) != 0) throw write_error(target_, errno);
    replaced_target_ = true;
  }

 private:
  std::filesystem::path target_;
  std::filesystem::path path_;
  int fd_ = -1;
  bool replaced_target_ = false;
};

// The rename lives in the directory, so it is durable only once the directory is synced.
void sync_directory_of(const std::filesystem::path& target) {
  const std::filesystem::path directory = target.has_parent_path() ? target.parent_path() : ".";
  const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw write_error(target, errno);
  const int synced = ::fsync(fd);
  const int sync_errno = errno;
  ::close(fd);
  // Some file systems cannot sync a directory (EINVAL); there the rename is as durable as they allow.
  if (synced != 0 && sync_errno != EINVAL) throw write_error(target, sync_errno);
}

}  // namespace

void write_file_atomically(const std::filesystem::path& path, std::span<const std::byte> bytes) {
  TemporaryFile file(path);
  file.write_all(bytes);
  file.replace_target();
  sync_directory_of(path);
}

void write_file_atomically(const std::filesystem::path& path, std::string_view text) {
  write_file_atomically(path, std::as_bytes(std::span(text.data(), text.size())));
}

}  // namespace gpufm
