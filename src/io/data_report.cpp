#include "gpufm/data_report.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

#include "gpufm/format.hpp"

namespace gpufm {

namespace {

constexpr double histogram_width = 20.0;

// Columns padded to their widest cell, two spaces apart, without trailing spaces.
class TextTable {
 public:
  enum class Align { left, right };

  explicit TextTable(std::vector<Align> aligns) : aligns_(std::move(aligns)) {}

  void add_row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }

  std::string render(const std::string& indent) const {
    std::vector<std::size_t> widths(aligns_.size(), 0);
    for (const auto& row : rows_) {
      for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
    }
    std::string text;
    for (const auto& row : rows_) {
      std::string line = indent;
      for (std::size_t i = 0; i < row.size(); ++i) {
        if (i > 0) line += "  ";
        line += aligns_[i] == Align::right ? pad_left(row[i], widths[i]) : pad_right(row[i], widths[i]);
      }
      line.erase(line.find_last_not_of(' ') + 1);
      text += line + "\n";
    }
    return text;
  }

 private:
  std::vector<Align> aligns_;
  std::vector<std::vector<std::string>> rows_;
};

using Align = TextTable::Align;

std::string fixed(double value, const char* format) {
  char text[32];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

// Mean and standard deviation of the pixels in [0, 1] units, from a histogram of byte values so
// that the sums are exact and the deviations are taken from the true mean.
std::pair<double, double> pixel_mean_and_std(const std::vector<std::uint8_t>& pixels) {
  std::array<std::uint64_t, 256> histogram{};
  for (const std::uint8_t value : pixels) ++histogram[value];
  const auto count = static_cast<double>(pixels.size());
  double sum = 0;
  for (std::size_t value = 0; value < histogram.size(); ++value) sum += static_cast<double>(value * histogram[value]);
  const double mean = sum / count / 255.0;
  double squares = 0;
  for (std::size_t value = 0; value < histogram.size(); ++value) {
    const double deviation = static_cast<double>(value) / 255.0 - mean;
    squares += static_cast<double>(histogram[value]) * deviation * deviation;
  }
  return {mean, std::sqrt(squares / count)};
}

std::vector<std::size_t> class_counts(const ImageSplit& split, int num_classes) {
  std::vector<std::size_t> counts(static_cast<std::size_t>(num_classes), 0);
  for (const std::uint8_t label : split.labels) ++counts.at(label);
  return counts;
}

std::string overview(const Dataset& data) {
  TextTable table({Align::left, Align::left});
  table.add_row({"Data set:", data.name.empty() ? "unrecognised set" : data.name});
  table.add_row({"Image size:", std::to_string(data.train.rows) + "x" + std::to_string(data.train.cols) + ", 1 channel"});
  table.add_row({"Classes:", std::to_string(data.num_classes)});
  return table.render("");
}

std::string split_table(const Dataset& data) {
  TextTable table({Align::left, Align::right, Align::right, Align::right});
  table.add_row({"Split", "Images", "Pixel mean", "Pixel std"});
  for (const auto& [name, split] : {std::pair{"train", &data.train}, std::pair{"test", &data.test}}) {
    const auto [mean, std] = pixel_mean_and_std(split->pixels);
    table.add_row({name, with_commas(static_cast<std::int64_t>(split->count)), fixed(mean, "%.4f"), fixed(std, "%.4f")});
  }
  return table.render("");
}

std::string files_table(const Dataset& data) {
  TextTable table({Align::left, Align::left});
  table.add_row({"train images", data.train.images_path.string()});
  table.add_row({"train labels", data.train.labels_path.string()});
  table.add_row({"test images", data.test.images_path.string()});
  table.add_row({"test labels", data.test.labels_path.string()});
  return "Files:\n" + table.render("  ");
}

std::string class_table(const Dataset& data) {
  const std::vector<std::size_t> train_counts = class_counts(data.train, data.num_classes);
  const std::vector<std::size_t> test_counts = class_counts(data.test, data.num_classes);
  const auto largest = static_cast<double>(*std::ranges::max_element(train_counts));
  const auto percent = [](std::size_t count, std::size_t total) {
    return fixed(100.0 * static_cast<double>(count) / static_cast<double>(total), "(%.1f%%)");
  };
  // Every class with training images gets at least one mark, so a rare class stays visible.
  const auto bar = [&](std::size_t count) {
    const double marks = count == 0 ? 0.0 : std::max(1.0, std::round(histogram_width * static_cast<double>(count) / largest));
    return std::string(static_cast<std::size_t>(marks), '#');
  };

  TextTable table({Align::right, Align::left, Align::right, Align::right, Align::right, Align::right, Align::left});
  table.add_row({"Id", "Class", "Train", "", "Test", "", "Train histogram"});
  for (std::size_t id = 0; id < train_counts.size(); ++id) {
    table.add_row({std::to_string(id), data.class_names[id], with_commas(static_cast<std::int64_t>(train_counts[id])),
                   percent(train_counts[id], data.train.count), with_commas(static_cast<std::int64_t>(test_counts[id])),
                   percent(test_counts[id], data.test.count), bar(train_counts[id])});
  }
  return table.render("");
}

}  // namespace

std::string format_data_report(const Dataset& data) {
  return overview(data) + "\n" + split_table(data) + "\n" + files_table(data) + "\n" + class_table(data);
}

}  // namespace gpufm
