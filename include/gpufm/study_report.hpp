// A study directory's report.html, rewritten whenever a member finishes: the members' table (a
// sweep's as its leaderboard, a k-fold study's in fold order with the mean and standard
// deviation), and every member's learning curves overlaid on one chart (curves.svg, .png).
#pragma once

#include <filesystem>

#include "gpufm/study.hpp"

namespace gpufm {

void write_study_report(const std::filesystem::path& dir, const Study& study);

}  // namespace gpufm
