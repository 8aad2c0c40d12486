// What a run directory shows of itself, beside its records, rewritten after every epoch and when
// training ends:
//   curves.svg, .png       learning curves: loss and (classifiers) accuracy, training against
//                          validation, the best epoch marked
//   confusion.svg, .png    classifiers, once tested: the test confusion matrix as a heat map
//   samples.png            test images, a row of each class
//   reconstructions.svg, .png  autoencoders: the first images validated on (test images where
//                          none are) above their reconstructions
//   report.html            all of it in one self-contained page (pictures inlined, no network),
//                          with the per-class precision, recall and F1, the images of each class
//                          in each split, the model summary and the resolved settings, and the
//                          run's explanation (explain.svg and explain.json, which `gpufm explain`
//                          writes: gpufm/explain.hpp) once it has one
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "gpufm/charts.hpp"
#include "gpufm/dataset.hpp"
#include "gpufm/epoch_record.hpp"
#include "gpufm/image.hpp"
#include "gpufm/monitor.hpp"
#include "gpufm/program.hpp"

namespace gpufm {

// Images of each class in the splits a run uses: those trained on, those validated on (none where
// the run validates on the test split, or on nothing) and the test split's.
struct ClassCounts {
  std::vector<std::int64_t> train, validation, test;
};
// How many of the images `ids` are of each class below `classes`, by their labels.
std::vector<std::int64_t> count_classes(std::span<const std::uint8_t> labels, std::span<const std::int32_t> ids, std::size_t classes);

struct RunReport {
  std::string model;          // the model's name
  std::string model_summary;  // format_summary's table
  std::string settings_json;  // settings.json's text
  std::vector<EpochRecord> history;
  std::int64_t best_epoch = 0;  // 0 before the first epoch
  Monitor best_epoch_monitor = Monitor::val_loss;
  std::optional<PassMetrics> test;       // the final model on the test split, once trained (a classifier's with its confusion)
  std::vector<std::string> class_names;  // a classifier's outputs' (class_names_for), else the data's
  std::vector<Image> class_samples;      // a strip of test images per class
  ClassCounts class_counts;              // of class_names' classes
  std::optional<Picture> reconstructions;  // an autoencoder's, of the first images validated on (else test), at the latest epoch
};

// The learning curves: a loss chart and, when the history has accuracies, an accuracy chart,
// training solid and validation dashed, with the best epoch marked.
std::vector<LineChart> learning_curves(std::span<const EpochRecord> history, std::int64_t best_epoch);

struct NamedHistory {
  std::string name;
  std::vector<EpochRecord> history;  // empty for a run not started: it keeps its colour, draws nothing
};

// Several runs overlaid, a colour each: their validation loss (training loss where a run
// validates nothing) and, when any has accuracies, their validation accuracy likewise.
std::vector<LineChart> overlaid_curves(std::span<const NamedHistory> runs);

// `count` test images of each of the first `classes` classes, side by side, a strip per class
// (fewer where a class has fewer, none where it has none).
std::vector<Image> class_sample_strips(const ImageSplit& test, std::int64_t classes, std::int64_t count);

// Writes the files above into the run directory `dir`, each atomically.
void write_run_report(const std::filesystem::path& dir, const RunReport& report);

// Puts the run's explanation as it now is into its report.html, leaving the rest of the page as it
// was; false when the run has no report.
bool refresh_report_explanation(const std::filesystem::path& dir);

}  // namespace gpufm
