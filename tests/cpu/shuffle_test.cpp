// The epoch shuffle: a permutation drawn from (seed, epoch) alone. Ids whose Philox words are
// equal must still come out in one order whatever order they went in, or a resumed run (which
// starts from the ids in order) would shuffle differently from one that never stopped.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <set>
#include <vector>

#include "gpufm/backend.hpp"

namespace gpufm::test {
namespace {

std::vector<std::int32_t> shuffled(Backend& backend, std::vector<std::int32_t> ids, std::uint64_t epoch) {
  backend.shuffle(ids.data(), static_cast<std::int64_t>(ids.size()), 42, epoch);
  return ids;
}

TEST(Shuffle, OrderDependsOnSeedAndEpochNotOnTheIncomingOrder) {
  const std::unique_ptr<Backend> cpu = make_cpu_backend();
  std::vector<std::int32_t> ids(200'000);
  std::iota(ids.begin(), ids.end(), 0);
  std::vector<std::int32_t> reversed(ids.rbegin(), ids.rend());
  for (std::uint64_t epoch = 1; epoch <= 3; ++epoch) {
    // 200,000 ids draw about n^2 / 2^33 equal 32-bit words: the case this test is about.
    std::set<std::uint32_t> words;
    for (const std::int32_t id : ids) words.insert(static_cast<std::uint32_t>(shuffle_key(42, epoch, id) >> 32));
    ASSERT_LT(words.size(), ids.size()) << "no two ids share a word in epoch " << epoch << "; pick another seed";

    const std::vector<std::int32_t> from_order = shuffled(*cpu, ids, epoch);
    EXPECT_EQ(shuffled(*cpu, reversed, epoch), from_order) << "epoch " << epoch;
    EXPECT_NE(from_order, ids);
    std::vector<std::int32_t> sorted = from_order;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_EQ(sorted, ids) << "not a permutation";
    EXPECT_NE(shuffled(*cpu, ids, epoch + 10), from_order);
  }
}

}  // namespace
}  // namespace gpufm::test
