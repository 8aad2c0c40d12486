// K-fold splitting: folds are disjoint and cover the training set, their sizes differ by at most
// one, stratified folds hold every class's share to within one image, and the folds depend on
// the seed alone. A trainer given a fold's split trains on the other folds and validates on it.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <numeric>

#include "gpufm/folds.hpp"
#include "support/expect_error.hpp"
#include "support/learnable_set.hpp"

namespace gpufm {
namespace {

using Folds = std::vector<std::vector<std::int32_t>>;

// 97 labels of four classes in unequal shares (50, 30, 14, 3), interleaved.
std::vector<std::uint8_t> uneven_labels() {
  std::vector<std::uint8_t> labels;
  for (int i = 0; i < 97; ++i) labels.push_back(static_cast<std::uint8_t>(i < 3 ? 3 : i % 10 < 5 ? 0 : i % 10 < 8 ? 1 : 2));
  return labels;
}

void expect_partition(const Folds& folds, std::size_t count) {
  std::vector<std::int32_t> all;
  std::size_t smallest = count, largest = 0;
  for (const std::vector<std::int32_t>& fold : folds) {
    EXPECT_TRUE(std::is_sorted(fold.begin(), fold.end()));
    all.insert(all.end(), fold.begin(), fold.end());
    smallest = std::min(smallest, fold.size());
    largest = std::max(largest, fold.size());
  }
  std::sort(all.begin(), all.end());
  std::vector<std::int32_t> every(count);
  std::iota(every.begin(), every.end(), 0);
  EXPECT_EQ(all, every) << "the folds must hold every id exactly once";
  EXPECT_LE(largest - smallest, 1u);
}

TEST(Folds, AreDisjointCoverTheSetAndDifferInSizeByOneAtMost) {
  const std::vector<std::uint8_t> labels = uneven_labels();
  for (const bool stratified : {false, true}) {
    for (const std::int64_t k : {2, 3, 5, 10, 97}) {
      const Folds folds = split_into_folds(labels, k, stratified, 42);
      ASSERT_EQ(folds.size(), static_cast<std::size_t>(k));
      expect_partition(folds, labels.size());
    }
  }
}

TEST(Folds, StratifiedFoldsHoldEachClassShareWithinOneImage) {
  const std::vector<std::uint8_t> labels = uneven_labels();
  std::map<int, std::int64_t> class_counts;
  for (const std::uint8_t label : labels) ++class_counts[label];
  for (const std::int64_t k : {2, 3, 4, 5}) {
    for (const std::vector<std::int32_t>& fold : split_into_folds(labels, k, true, 7)) {
      std::map<int, std::int64_t> in_fold;
      for (const std::int32_t id : fold) ++in_fold[labels[static_cast<std::size_t>(id)]];
      for (const auto& [label, total] : class_counts) {
        EXPECT_GE(in_fold[label], total / k) << "class " << label << ", " << k << " folds";
        EXPECT_LE(in_fold[label], (total + k - 1) / k) << "class " << label << ", " << k << " folds";
      }
    }
  }
}

TEST(Folds, DependOnTheSeedAlone) {
  const std::vector<std::uint8_t> labels = uneven_labels();
  for (const bool stratified : {false, true}) {
    EXPECT_EQ(split_into_folds(labels, 5, stratified, 3), split_into_folds(labels, 5, stratified, 3));
    EXPECT_NE(split_into_folds(labels, 5, stratified, 3), split_into_folds(labels, 5, stratified, 4));
  }
  // Philox gives these on every machine: the folds of a seed are the same everywhere.
  const std::vector<std::uint8_t> ten(10, 0);
  EXPECT_EQ(split_into_folds(ten, 3, false, 42), (Folds{{2, 3, 4, 5}, {1, 6, 8}, {0, 7, 9}}));
}

TEST(Folds, FoldSplitValidatesOnOneFoldAndTrainsOnTheRest) {
  const Folds folds = {{1, 4}, {0, 3}, {2, 5}};
  const SplitIds split = fold_split(folds, 1);
  EXPECT_EQ(split.validation, (std::vector<std::int32_t>{0, 3}));
  EXPECT_EQ(split.train, (std::vector<std::int32_t>{1, 2, 4, 5}));
}

TEST(Folds, ATrainerGivenAFoldSplitValidatesOnTheHeldOutFold) {
  const Dataset data = test::learnable_dataset(120, 20);
  const Graph graph = compile(dsl::parse("input 8x8x1\nflatten\ndense 4 softmax\ntrain:\n  batch 16\n  validation test\n", "fold.dsl"));
  const SplitIds split = fold_split(split_into_folds(data.train.labels, 3, true, 1), 2);
  auto backend = make_cpu_backend();
  Trainer trainer(graph, data, *backend, split);
  EXPECT_EQ(trainer.train_samples(), 80);
  trainer.start(1);
  std::optional<EpochRecord> epoch;
  trainer.fit({.epoch_begin = {}, .step_end = {}, .epoch_end = [&](const EpochRecord& r) { epoch = r; }, .stop_requested = {}});
  ASSERT_TRUE(epoch && epoch->val_loss);
  EXPECT_EQ(epoch->samples, 80);
  // The model's `validation test` gives way: the figures are the held-out fold's.
  Program& program = trainer.program();
  EXPECT_EQ(*epoch->val_loss, program.evaluate(program.upload(data.train), program.upload_ids(split.validation)).loss);

  test::expect_input_error([&] { Trainer(graph, data, *backend, SplitIds{{0, 1}, {120}}); },
                           {"the split names image 120 of a training set of 120 images"});
}

TEST(Folds, ACountOutsideTwoToTheImagesIsAnInputError) {
  const std::vector<std::uint8_t> labels(10, 0);
  test::expect_input_error([&] { split_into_folds(labels, 1, false, 1); }, {"--folds 1: expected 2 to 10 (the training images)"});
  test::expect_input_error([&] { split_into_folds(labels, 11, true, 1); }, {"--folds 11: expected 2 to 10"});
}

}  // namespace
}  // namespace gpufm
