#include "gpufm/run_report.hpp"

#include <cmath>
#include <cstdio>
#include <numeric>
#include <string_view>

#include "gpufm/atomic_file.hpp"
#include "gpufm/classification_report.hpp"
#include "gpufm/explain.hpp"
#include "gpufm/format.hpp"
#include "gpufm/png.hpp"
#include "gpufm/text_file.hpp"
#include "report/html.hpp"

namespace gpufm {

namespace {

// One series of the history's figure `field`; NaN where an epoch lacks it.
LineSeries history_series(std::span<const EpochRecord> history, const std::string& label, std::size_t color, bool dashed,
                          const std::function<std::optional<double>(const EpochRecord&)>& field) {
  LineSeries series{label, {}, {}, series_color(color), dashed};
  for (const EpochRecord& record : history) {
    series.x.push_back(static_cast<double>(record.epoch));
    series.y.push_back(field(record).value_or(NAN));
  }
  return series;
}

bool any_of_field(std::span<const EpochRecord> history, const std::function<std::optional<double>(const EpochRecord&)>& field) {
  for (const EpochRecord& record : history) {
    if (field(record)) return true;
  }
  return false;
}

// The final, best and test figures, as a table.
std::string figures_section(const RunReport& report) {
  std::vector<std::vector<std::string>> rows = {{"", "epoch", "loss", "accuracy", "val_loss", "val_accuracy"}};
  const auto row = [](const std::string& name, const EpochRecord& r) {
    return std::vector<std::string>{name, std::to_string(r.epoch), figure_text(r.loss), figure_text(r.accuracy), figure_text(r.val_loss),
                                    figure_text(r.val_accuracy)};
  };
  if (!report.history.empty()) rows.push_back(row("final", report.history.back()));
  if (report.best_epoch > 0) {
    rows.push_back(row("best (" + std::string(name(report.best_epoch_monitor)) + ")",
                       report.history[static_cast<std::size_t>(report.best_epoch - 1)]));
  }
  std::string html = "<h2>Figures</h2>\n" + report::html_table(rows);
  if (report.test) {
    html += "<p>Test (final model): loss " + figure_text(report.test->loss);
    if (!report.test->confusion.empty()) html += ", accuracy " + figure_text(report.test->accuracy);
    html += " on " + std::to_string(report.test->samples) + " images.</p>\n";
  } else {
    html += "<p>Training: " + std::to_string(report.history.size()) + (report.history.size() == 1 ? " epoch" : " epochs") +
            " so far; the test figures come when it ends.</p>\n";
  }
  return html;
}

// Each split's images of each class, and their share of the split, as `gpufm data` shows them.
std::string class_counts_section(const RunReport& report) {
  const ClassCounts& counts = report.class_counts;
  const bool validated = !counts.validation.empty();
  std::vector<std::vector<std::string>> rows = {{"class", "trained on"}};
  if (validated) rows[0].push_back("validated on");
  rows[0].push_back("test");
  const auto share = [](const std::vector<std::int64_t>& split, std::size_t c) {
    const std::int64_t total = std::accumulate(split.begin(), split.end(), std::int64_t{0});
    const double share_of_split = total > 0 ? 100.0 * static_cast<double>(split[c]) / static_cast<double>(total) : 0.0;
    char percent[32];
    std::snprintf(percent, sizeof percent, " (%.1f%%)", share_of_split);
    return with_commas(split[c]) + percent;
  };
  for (std::size_t c = 0; c < counts.train.size(); ++c) {
    std::vector<std::string> row = {c < report.class_names.size() ? report.class_names[c] : std::to_string(c), share(counts.train, c)};
    if (validated) row.push_back(share(counts.validation, c));
    row.push_back(share(counts.test, c));
    rows.push_back(std::move(row));
  }
  return "<h2>Images of each class</h2>\n" + report::html_table(rows);
}

std::string classification_section(const RunReport& report, const Picture& confusion) {
  const ClassificationReport scores = classification_report(report.test->confusion, report.class_names);
  std::vector<std::vector<std::string>> rows = {{"class", "precision", "recall", "f1-score", "support"}};
  const auto add = [&](const ClassScores& s) {
    rows.push_back({s.name, figure_text(s.precision), figure_text(s.recall), figure_text(s.f1), std::to_string(s.support)});
  };
  for (const ClassScores& s : scores.classes) add(s);
  add(scores.macro_average);
  add(scores.weighted_average);
  return "<h2>Test confusion matrix</h2>\n" + report::svg_image(confusion, "test confusion matrix") +
         "\n<h2>Per-class precision, recall and F1 (test)</h2>\n" + report::html_table(rows) + "<p>accuracy " +
         figure_text(scores.accuracy) +
         " on " + std::to_string(scores.total) + " images</p>\n";
}

std::string samples_section(const RunReport& report) {
  std::string html = "<h2>Test images of each class</h2>\n<table>\n";
  for (std::size_t c = 0; c < report.class_samples.size(); ++c) {
    const std::string label = c < report.class_names.size() ? report.class_names[c] : std::to_string(c);
    html += "<tr><td>" + report::escape_html(label) + "</td><td>" + report::png_image(encode_png(report.class_samples[c]), label) +
            "</td></tr>\n";
  }
  return html + "</table>\n";
}

// The explanation's section is kept in place, empty until the run has one, so that `gpufm explain`
// can replace it in a finished run's page (refresh_report_explanation).
constexpr std::string_view explanation_open = "<section id=\"explanation\">\n", explanation_close = "</section>\n";

std::string explanation_contents(const std::filesystem::path& dir) {
  const std::filesystem::path record = dir / "explain.json";
  if (!std::filesystem::exists(record)) return "";
  // A record that cannot be read is said so in the page: no reason to fail a training run's report.
  try {
    const Explanation explanation = read_explanation(record);
    std::string html = "<h2>Mistakes explained by neighbours (" + report::escape_html(explanation.checkpoint) + ")</h2>\n<p>" +
                       std::to_string(explanation.misclassified) + " of " + std::to_string(explanation.test_images) +
                       " test images are misclassified. The most confidently wrong are shown, each beside the " +
                       std::to_string(explanation.k) +
                       " training images nearest to it of its true class (local examples) and of the class it was taken for "
                       "(counterexamples), by squared distance between the outputs of layer " +
                       report::escape_html(explanation.layer) + " (" + std::to_string(explanation.dimension) + " values), among the " +
                       std::to_string(explanation.training_images) + " images trained on.</p>\n";
    if (const std::optional<std::string> svg = read_text_file(dir / "explain.svg")) {
      html += report::svg_image(Picture{*svg, {}}, "misclassified test images beside their nearest training images") + "\n";
    }
    std::vector<std::vector<std::string>> rows = {{"true class", "predicted class", "test images"}};
    for (const ConfusedPair& pair : explanation.confused_pairs) {
      rows.push_back({explanation.class_name(pair.true_class), explanation.class_name(pair.predicted_class), std::to_string(pair.count)});
    }
    return html + "<h2>Most confused class pairs (test)</h2>\n" + report::html_table(rows);
  } catch (const InputError& error) {
    return "<h2>Mistakes explained by neighbours</h2>\n<p>" + report::escape_html(error.what()) + "</p>\n";
  }
}

std::string explanation_section(const std::filesystem::path& dir) {
  return std::string(explanation_open) + explanation_contents(dir) + std::string(explanation_close);
}

}  // namespace

std::vector<LineChart> learning_curves(std::span<const EpochRecord> history, std::int64_t best_epoch) {
  using Field = std::function<std::optional<double>(const EpochRecord&)>;
  const Field loss = [](const EpochRecord& r) { return std::optional<double>(r.loss); };
  const Field val_loss = [](const EpochRecord& r) { return r.val_loss; };
  const Field accuracy = [](const EpochRecord& r) { return r.accuracy; };
  const Field val_accuracy = [](const EpochRecord& r) { return r.val_accuracy; };
  const std::optional<double> marked = best_epoch > 0 ? std::optional<double>(static_cast<double>(best_epoch)) : std::nullopt;
  const std::string marked_label = best_epoch > 0 ? "best epoch " + std::to_string(best_epoch) : "";
  const auto chart = [&](const std::string& title, const Field& training, const Field& validation) {
    LineChart c{title, "epoch", title, {history_series(history, "training", 0, false, training)}, marked, marked_label};
    if (any_of_field(history, validation)) c.series.push_back(history_series(history, "validation", 1, true, validation));
    return c;
  };
  std::vector<LineChart> charts = {chart("loss", loss, val_loss)};
  if (any_of_field(history, accuracy)) charts.push_back(chart("accuracy", accuracy, val_accuracy));
  return charts;
}

std::vector<LineChart> overlaid_curves(std::span<const NamedHistory> runs) {
  LineChart loss{"validation loss", "epoch", "val_loss", {}, {}, ""}, accuracy{"validation accuracy", "epoch", "val_accuracy", {}, {}, ""};
  for (std::size_t i = 0; i < runs.size(); ++i) {
    LineSeries losses{runs[i].name, {}, {}, series_color(i), false}, accuracies = losses;
    for (const EpochRecord& r : runs[i].history) {
      losses.x.push_back(static_cast<double>(r.epoch));
      losses.y.push_back(r.val_loss.value_or(r.loss));
      if (const std::optional<double> a = r.val_accuracy ? r.val_accuracy : r.accuracy) {
        accuracies.x.push_back(static_cast<double>(r.epoch));
        accuracies.y.push_back(*a);
      }
    }
    if (!losses.x.empty()) loss.series.push_back(losses);
    if (!accuracies.x.empty()) accuracy.series.push_back(accuracies);
  }
  std::vector<LineChart> charts = {loss};
  if (!accuracy.series.empty()) charts.push_back(accuracy);
  return charts;
}

std::vector<std::int64_t> count_classes(std::span<const std::uint8_t> labels, std::span<const std::int32_t> ids, std::size_t classes) {
  std::vector<std::int64_t> counts(classes, 0);
  for (const std::int32_t id : ids) {
    const std::uint8_t label = labels[static_cast<std::size_t>(id)];
    if (label < classes) ++counts[label];
  }
  return counts;
}

std::vector<Image> class_sample_strips(const ImageSplit& test, std::int64_t classes, std::int64_t count) {
  std::vector<std::vector<Image>> tiles(static_cast<std::size_t>(classes));
  for (std::size_t n = 0; n < test.count; ++n) {
    if (test.labels[n] >= classes) continue;
    std::vector<Image>& of_class = tiles[test.labels[n]];
    if (static_cast<std::int64_t>(of_class.size()) < count) of_class.push_back(split_image(test, n));
  }
  std::vector<Image> strips;
  for (const std::vector<Image>& of_class : tiles) {
    if (!of_class.empty()) strips.push_back(image_grid(of_class, count, 2, 255));
  }
  return strips;
}

void write_run_report(const std::filesystem::path& dir, const RunReport& report) {
  const Picture curves = draw_line_charts(learning_curves(report.history, report.best_epoch));
  write_picture(dir / "curves", curves);
  std::vector<std::string> sections = {figures_section(report),
                                       "<h2>Learning curves</h2>\n" + report::svg_image(curves, "learning curves") + "\n"};
  if (report.test && !report.test->confusion.empty()) {
    const HeatMap map{"test confusion matrix", "true class", "predicted class", report.class_names, report.class_names,
                      report.test->confusion};
    const Picture confusion = draw_heat_map(map);
    write_picture(dir / "confusion", confusion);
    sections.push_back(classification_section(report, confusion));
  }
  sections.push_back(explanation_section(dir));
  if (report.reconstructions) {
    write_picture(dir / "reconstructions", *report.reconstructions);
    sections.push_back("<h2>Reconstructions (epoch " + std::to_string(report.history.size()) + ")</h2>\n" +
                       report::svg_image(*report.reconstructions, "images above their reconstructions") + "\n");
  }
  if (!report.class_samples.empty()) {
    write_png(dir / "samples.png", image_grid(report.class_samples, 1, 2, 255));
    sections.push_back(samples_section(report));
  }
  if (!report.class_counts.train.empty()) sections.push_back(class_counts_section(report));
  sections.push_back("<h2>Model</h2>\n<pre>" + report::escape_html(report.model_summary) + "</pre>\n");
  sections.push_back("<h2>Settings</h2>\n<pre>" + report::escape_html(report.settings_json) + "</pre>\n");
  write_file_atomically(dir / "report.html", report::html_page(report.model + ": " + dir.filename().string(), sections));
}

bool refresh_report_explanation(const std::filesystem::path& dir) {
  const std::filesystem::path report_file = dir / "report.html";
  std::optional<std::string> html = read_text_file(report_file);
  if (!html) return false;
  const std::string section = explanation_section(dir);
  const std::size_t begin = html->find(explanation_open);
  const std::size_t end = begin == std::string::npos ? std::string::npos : html->find(explanation_close, begin);
  if (end != std::string::npos) {
    html->replace(begin, end + explanation_close.size() - begin, section);
  } else {
    // A page written before reports kept the section: it goes last.
    const std::size_t body_end = html->rfind("</body>");
    html->insert(body_end == std::string::npos ? html->size() : body_end, section);
  }
  write_file_atomically(report_file, *html);
  return true;
}

}  // namespace gpufm
