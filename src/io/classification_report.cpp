#include "gpufm/classification_report.hpp"

#include <algorithm>
#include <cstdio>

#include "gpufm/format.hpp"

namespace gpufm {

namespace {

double ratio(double numerator, double denominator) { return denominator > 0 ? numerator / denominator : 0.0; }

std::string scores_row(const ClassScores& scores, std::size_t width) {
  char numbers[64];
  std::snprintf(numbers, sizeof numbers, "  %9.2f %9.2f %9.2f %9lld\n", scores.precision, scores.recall, scores.f1,
                static_cast<long long>(scores.support));
  return pad_left(scores.name, width) + numbers;
}

}  // namespace

ClassificationReport classification_report(std::span<const std::int64_t> confusion, const std::vector<std::string>& class_names) {
  const std::size_t classes = class_names.size();
  ClassificationReport report;
  std::int64_t correct = 0;
  for (std::size_t c = 0; c < classes; ++c) {
    std::int64_t predicted = 0, actual = 0;
    for (std::size_t k = 0; k < classes; ++k) {
      predicted += confusion[k * classes + c];
      actual += confusion[c * classes + k];
    }
    const auto hits = static_cast<double>(confusion[c * classes + c]);
    ClassScores scores{class_names[c], ratio(hits, static_cast<double>(predicted)), ratio(hits, static_cast<double>(actual)), 0, actual};
    scores.f1 = ratio(2 * scores.precision * scores.recall, scores.precision + scores.recall);
    report.classes.push_back(scores);
    correct += confusion[c * classes + c];
    report.total += actual;
  }
  report.accuracy = ratio(static_cast<double>(correct), static_cast<double>(report.total));
  report.macro_average = {"macro avg", 0, 0, 0, report.total};
  report.weighted_average = {"weighted avg", 0, 0, 0, report.total};
  for (const ClassScores& s : report.classes) {
    const double weight = ratio(static_cast<double>(s.support), static_cast<double>(report.total));
    report.macro_average.precision += s.precision / static_cast<double>(classes);
    report.macro_average.recall += s.recall / static_cast<double>(classes);
    report.macro_average.f1 += s.f1 / static_cast<double>(classes);
    report.weighted_average.precision += s.precision * weight;
    report.weighted_average.recall += s.recall * weight;
    report.weighted_average.f1 += s.f1 * weight;
  }
  return report;
}

std::string format_classification_report(const ClassificationReport& report) {
  std::size_t width = std::string("weighted avg").size();
  for (const ClassScores& s : report.classes) width = std::max(width, s.name.size());
  std::string text = std::string(width, ' ') + "  precision    recall  f1-score   support\n\n";
  for (const ClassScores& s : report.classes) text += scores_row(s, width);
  char accuracy[64];
  std::snprintf(accuracy, sizeof accuracy, "  %9s %9s %9.2f %9lld\n", "", "", report.accuracy, static_cast<long long>(report.total));
  text.append("\n").append(pad_left("accuracy", width)).append(accuracy);
  text += scores_row(report.macro_average, width);
  text += scores_row(report.weighted_average, width);
  return text;
}

std::string format_confusion_matrix(std::span<const std::int64_t> confusion, const std::vector<std::string>& class_names) {
  const std::size_t classes = class_names.size();
  std::size_t cell = 5, label = 0;
  for (std::int64_t count : confusion) cell = std::max(cell, std::to_string(count).size() + 1);
  for (const std::string& name : class_names) label = std::max(label, name.size());
  std::string text = std::string(label + 5, ' ');
  for (std::size_t c = 0; c < classes; ++c) text += pad_left(std::to_string(c), cell);
  text += "   <- predicted\n";
  for (std::size_t r = 0; r < classes; ++r) {
    text += pad_left(std::to_string(r), 3) + " " + pad_right(class_names[r], label) + " ";
    for (std::size_t c = 0; c < classes; ++c) text += pad_left(std::to_string(confusion[r * classes + c]), cell);
    text += "\n";
  }
  return text;
}

}  // namespace gpufm
