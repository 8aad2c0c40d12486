#include "gpufm/folds.hpp"

#include <algorithm>
#include <numeric>
#include <string>
#include <utility>

#include "gpufm/error.hpp"
#include "gpufm/philox.hpp"

namespace gpufm {

namespace {

constexpr std::uint32_t folds_philox_stream = 0x464F4C44u;  // "FOLD"

// The ids in an order drawn from (seed, substream): sorted by their Philox words, ties by id.
void shuffle(std::vector<std::int32_t>& ids, std::uint64_t seed, std::uint32_t substream) {
  std::vector<std::pair<std::uint32_t, std::int32_t>> keyed;
  keyed.reserve(ids.size());
  for (const std::int32_t id : ids) {
    keyed.emplace_back(philox_word(seed, folds_philox_stream, substream, static_cast<std::uint64_t>(id)), id);
  }
  std::sort(keyed.begin(), keyed.end());
  for (std::size_t i = 0; i < ids.size(); ++i) ids[i] = keyed[i].second;
}

// The order in which the ids are dealt to the folds in turn: all ids shuffled; stratified, each
// class's ids shuffled and one class after another, so that dealing spreads every class evenly.
std::vector<std::int32_t> dealing_order(std::span<const std::uint8_t> labels, bool stratified, std::uint64_t seed) {
  if (!stratified) {
    std::vector<std::int32_t> ids(labels.size());
    std::iota(ids.begin(), ids.end(), 0);
    shuffle(ids, seed, 0);
    return ids;
  }
  std::vector<std::vector<std::int32_t>> by_class(256);
  for (std::size_t id = 0; id < labels.size(); ++id) by_class[labels[id]].push_back(static_cast<std::int32_t>(id));
  std::vector<std::int32_t> order;
  order.reserve(labels.size());
  for (std::size_t label = 0; label < by_class.size(); ++label) {
    shuffle(by_class[label], seed, static_cast<std::uint32_t>(label + 1));
    order.insert(order.end(), by_class[label].begin(), by_class[label].end());
  }
  return order;
}

}  // namespace

std::vector<std::vector<std::int32_t>> split_into_folds(std::span<const std::uint8_t> labels, std::int64_t folds, bool stratified,
                                                        std::uint64_t seed) {
  const auto count = static_cast<std::int64_t>(labels.size());
  if (folds < 2 || folds > count) {
    throw InputError("--folds " + std::to_string(folds) + ": expected 2 to " + std::to_string(count) + " (the training images)");
  }
  const std::vector<std::int32_t> order = dealing_order(labels, stratified, seed);
  std::vector<std::vector<std::int32_t>> split(static_cast<std::size_t>(folds));
  for (std::size_t i = 0; i < order.size(); ++i) split[i % split.size()].push_back(order[i]);
  for (std::vector<std::int32_t>& fold : split) std::sort(fold.begin(), fold.end());
  return split;
}

SplitIds fold_split(const std::vector<std::vector<std::int32_t>>& folds, std::size_t held_out) {
  SplitIds split{{}, folds.at(held_out)};
  for (std::size_t fold = 0; fold < folds.size(); ++fold) {
    if (fold != held_out) split.train.insert(split.train.end(), folds[fold].begin(), folds[fold].end());
  }
  std::sort(split.train.begin(), split.train.end());
  return split;
}

}  // namespace gpufm
