// A study directory: a k-fold study's or a sweep's records and its members' run directories, each
// file written atomically.
//   study.json                  the study: kind, model, data, seed, overrides and design; every
//                               member planned, with its settings and, once done, its figures
//                               (or, if its run diverged, why)
//   summary.csv, summary.json   the finished members' figures: a k-fold study's in fold order with
//                               their mean and standard deviation (and the final run's); a sweep's
//                               as its leaderboard
//   report.html, curves.*       the members' table and their curves overlaid (study_report.hpp)
//   fold-1/ ..., final/         a k-fold study's run directories
//   trial-001/ ...              a sweep's
#pragma once

#include <filesystem>

#include "gpufm/study.hpp"

namespace gpufm {

class StudyDirectory {
 public:
  // A new, empty directory (create_output_directory): `requested`, else
  // runs/<model>-kfold-<timestamp> or runs/<model>-sweep-<timestamp>.
  static StudyDirectory create(const std::filesystem::path& requested, const Study& study);
  // An existing study (to resume); InputError when it is not one.
  static StudyDirectory open(const std::filesystem::path& path);

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path member_path(const StudyMember& member) const { return path_ / member.name; }

  // study.json, the summary and the report, rewritten whenever a member finishes.
  void write(const Study& study) const;
  Study read() const;

 private:
  explicit StudyDirectory(std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;
};

}  // namespace gpufm
