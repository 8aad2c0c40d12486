// read_idx_u8 on arbitrary bytes, raw or gzip-compressed, as the images (rank 3) and the labels
// (rank 1) of a data set are read.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <numeric>
#include <string>

#include "fuzz_check.hpp"
#include "gpufm/idx.hpp"

namespace {

// The reader takes a path and reads it through zlib; a file in memory gives it one per process
// without touching the disk.
class MemoryFile {
 public:
  MemoryFile() : fd_(memfd_create("idx_fuzz", 0)), path_("/proc/self/fd/" + std::to_string(fd_)) {
    gpufm::fuzz::require(fd_ >= 0, "memfd_create failed");
  }

  const std::string& hold(const std::uint8_t* data, std::size_t size) {
    const bool written = ftruncate(fd_, 0) == 0 &&
                         pwrite(fd_, data, size, 0) == static_cast<ssize_t>(size);
    gpufm::fuzz::require(written, "cannot write the input to the memory file");
    return path_;
  }

 private:
  int fd_;
  std::string path_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static MemoryFile file;
  const std::string& path = file.hold(data, size);
  for (const int rank : {1, 3}) {
    gpufm::IdxArray array;
    if (!gpufm::fuzz::accepted([&] { array = gpufm::read_idx_u8(path, rank); })) continue;
    const std::uint64_t elements =
        std::accumulate(array.dims.begin(), array.dims.end(), std::uint64_t{1}, std::multiplies<>());
    gpufm::fuzz::require(array.dims.size() == static_cast<std::size_t>(rank) && array.data.size() == elements,
                         "an IDX array read back does not have the rank and size its header gives");
  }
  return 0;
}
