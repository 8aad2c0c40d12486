// The CPU backend's memory ledger and timeline: buffers counted while held and at most, the
// count kept after the backend goes, memory it cannot get an error; marks in the order they
// were made.
#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <thread>

#include "gpufm/backend.hpp"
#include "gpufm/error.hpp"

namespace gpufm {
namespace {

TEST(CpuMemory, LedgerCountsBuffersHeldAndTheMostAtOnce) {
  auto backend = make_cpu_backend();
  {
    const DeviceBuffer first = backend->allocate(1000);
    const DeviceBuffer second = backend->allocate(3000);
    EXPECT_EQ(backend->memory_use().bytes_in_use, 4000u);
  }
  const DeviceBuffer third = backend->allocate(500);
  const MemoryUse use = backend->memory_use();
  EXPECT_EQ(use.allocations, 3u);
  EXPECT_EQ(use.bytes_in_use, 500u);
  EXPECT_EQ(use.peak_bytes, 4000u);
}

TEST(CpuMemory, ABufferMayOutliveItsBackend) {
  DeviceBuffer kept;
  {
    auto backend = make_cpu_backend();
    kept = backend->allocate(64);
  }
  EXPECT_EQ(kept.bytes(), 64u);  // freed at the end of the test without touching the gone backend
}

// Memory the machine cannot give is an error naming the size, not std::bad_alloc's "internal error".
TEST(CpuMemory, MemoryItCannotGetIsAnErrorNamingTheSize) {
  auto backend = make_cpu_backend();
  try {
    static_cast<void>(backend->allocate(std::numeric_limits<std::size_t>::max() / 2));
    FAIL() << "allocated half the address space";
  } catch (const DeviceError& e) {
    EXPECT_NE(std::string(e.what()).find("CPU backend: cannot allocate "), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(" of host memory"), std::string::npos) << e.what();
  }
  EXPECT_EQ(backend->memory_use().allocations, 0u);
}

TEST(CpuTimeline, MarksReadInOrderFromItsMaking) {
  auto backend = make_cpu_backend();
  const std::unique_ptr<Timeline> timeline = backend->make_timeline(2);
  timeline->mark(0);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  timeline->mark(1);
  const std::vector<double> marks = timeline->read_milliseconds();
  ASSERT_EQ(marks.size(), 2u);
  EXPECT_GE(marks[0], 0);
  EXPECT_GE(marks[1] - marks[0], 5);
}

}  // namespace
}  // namespace gpufm
