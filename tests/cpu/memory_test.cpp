// The CPU backend's memory ledger and timeline: buffers counted while held and at most, the
// count kept after the backend goes; marks in the order they were made.
#include <gtest/gtest.h>

#include <thread>

#include "gpufm/backend.hpp"

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
