#include "io/record_json.hpp"

#include <limits>

namespace gpufm {

void to_json(nlohmann::json& json, const EpochRecord& r) {
  json = {{"epoch", r.epoch}, {"loss", r.loss}, {"lr", r.lr}, {"seconds", r.seconds}, {"samples", r.samples}};
  if (r.accuracy) json["accuracy"] = *r.accuracy;
  if (r.val_loss) json["val_loss"] = *r.val_loss;
  if (r.val_accuracy) json["val_accuracy"] = *r.val_accuracy;
  if (r.stopped_early) json["stopped_early"] = true;
  if (r.skipped_steps > 0) json["skipped_steps"] = r.skipped_steps;
  if (r.overflow_steps > 0) json["overflow_steps"] = r.overflow_steps;
  if (r.loss_scale) json["loss_scale"] = *r.loss_scale;
}

namespace {

// JSON has no NaN or infinity: nlohmann::json writes them as null (a diverged run's val_loss, say),
// which reads back as NaN.
double figure(const nlohmann::json& value) { return value.is_null() ? std::numeric_limits<double>::quiet_NaN() : value.get<double>(); }

}  // namespace

void from_json(const nlohmann::json& json, EpochRecord& r) {
  r.epoch = json.at("epoch");
  r.loss = figure(json.at("loss"));
  r.lr = json.at("lr");
  r.seconds = json.at("seconds");
  r.samples = json.at("samples");
  if (json.contains("accuracy")) r.accuracy = figure(json["accuracy"]);
  if (json.contains("val_loss")) r.val_loss = figure(json["val_loss"]);
  if (json.contains("val_accuracy")) r.val_accuracy = figure(json["val_accuracy"]);
  r.stopped_early = json.value("stopped_early", false);
  r.skipped_steps = json.value("skipped_steps", std::int64_t{0});
  r.overflow_steps = json.value("overflow_steps", std::int64_t{0});
  if (json.contains("loss_scale")) r.loss_scale = json["loss_scale"].get<double>();
}

void to_json(nlohmann::json& json, const DataPaths& paths) {
  json = {{"train_images", paths.train_images.string()}, {"train_labels", paths.train_labels.string()},
          {"test_images", paths.test_images.string()}, {"test_labels", paths.test_labels.string()}};
}

void from_json(const nlohmann::json& json, DataPaths& paths) {
  paths = DataPaths{json.at("train_images").get<std::string>(), json.at("train_labels").get<std::string>(),
                    json.at("test_images").get<std::string>(), json.at("test_labels").get<std::string>()};
}

void to_json(nlohmann::ordered_json& json, const ClassificationReport& report) {
  const auto scores = [](const ClassScores& s) {
    return nlohmann::ordered_json{{"precision", s.precision}, {"recall", s.recall}, {"f1-score", s.f1}, {"support", s.support}};
  };
  json = nlohmann::ordered_json::object();
  for (const ClassScores& s : report.classes) json[s.name] = scores(s);
  json["accuracy"] = report.accuracy;
  json["macro avg"] = scores(report.macro_average);
  json["weighted avg"] = scores(report.weighted_average);
}

std::string json_reason(const nlohmann::json::exception& e) {
  std::string_view reason = e.what();  // "[json.exception.parse_error.101] parse error at ..."
  if (const std::size_t id_end = reason.find("] "); reason.starts_with("[json.exception.") && id_end != std::string_view::npos) {
    reason.remove_prefix(id_end + 2);
  }
  return std::string(reason);
}

InputError malformed_json(const std::filesystem::path& file, std::string_view holds, const nlohmann::json::exception& e) {
  return InputError(file.string() + ": malformed " + std::string(holds) + " (" + json_reason(e) + ")");
}

nlohmann::ordered_json confusion_matrix_json(std::span<const std::int64_t> confusion, std::size_t classes) {
  nlohmann::ordered_json matrix = nlohmann::ordered_json::array();
  for (std::size_t row = 0; row < classes; ++row) matrix.push_back(confusion.subspan(row * classes, classes));
  return matrix;
}

}  // namespace gpufm
