// What scikit-learn users read after training a classifier: the confusion matrix (rows: true
// class, columns: predicted) and classification_report's per-class precision, recall, F1 and
// support with macro and weighted averages (0 where a ratio has no denominator, as
// zero_division=0).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace gpufm {

struct ClassScores {
  std::string name;
  double precision = 0, recall = 0, f1 = 0;
  std::int64_t support = 0;
};

struct ClassificationReport {
  std::vector<ClassScores> classes;
  double accuracy = 0;
  ClassScores macro_average, weighted_average;
  std::int64_t total = 0;
};

ClassificationReport classification_report(std::span<const std::int64_t> confusion, const std::vector<std::string>& class_names);

// Laid out as sklearn.metrics.classification_report prints it (two digits).
std::string format_classification_report(const ClassificationReport& report);

std::string format_confusion_matrix(std::span<const std::int64_t> confusion, const std::vector<std::string>& class_names);

}  // namespace gpufm
