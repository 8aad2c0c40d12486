// K-fold cross-validation's folds: the training set's ids dealt into K folds whose sizes differ by
// at most one, in an order drawn from the seed (as scikit-learn's KFold with shuffle). Stratified,
// the ids are dealt class by class, so that each fold holds every class's share to within one
// image (as StratifiedKFold). The order comes from Philox, so a seed gives the same folds on every
// machine.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "gpufm/trainer.hpp"

namespace gpufm {

// Each fold's ids, ascending. InputError unless 2 <= folds <= the number of images.
std::vector<std::vector<std::int32_t>> split_into_folds(std::span<const std::uint8_t> labels, std::int64_t folds, bool stratified,
                                                        std::uint64_t seed);

// Fold `held_out` validates; the other folds' ids, ascending, train.
SplitIds fold_split(const std::vector<std::vector<std::int32_t>>& folds, std::size_t held_out);

}  // namespace gpufm
