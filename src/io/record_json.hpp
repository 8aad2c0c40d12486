// The JSON forms of records that more than one file holds: an epoch's record as history.json has
// it (a study's members' best epochs too), the four data files as settings.json names them
// (study.json too), and a classifier's test scores as metrics.json and `eval --json` give them.
// nlohmann::json finds them by argument-dependent lookup.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

#include "gpufm/classification_report.hpp"
#include "gpufm/dataset.hpp"
#include "gpufm/error.hpp"
#include "gpufm/epoch_record.hpp"

namespace gpufm {

void to_json(nlohmann::json& json, const EpochRecord& record);
void from_json(const nlohmann::json& json, EpochRecord& record);

void to_json(nlohmann::json& json, const DataPaths& paths);
void from_json(const nlohmann::json& json, DataPaths& paths);

// As scikit-learn's classification_report(output_dict=True): each class by name, in order, with
// "precision", "recall", "f1-score" and "support", then "accuracy", "macro avg", "weighted avg".
void to_json(nlohmann::ordered_json& json, const ClassificationReport& report);

// A JSON file gpufm wrote that does not read back (edited by hand, cut short): an InputError
// "FILE: malformed HOLDS (REASON)", the reason being the parser's without its exception id.
InputError malformed_json(const std::filesystem::path& file, std::string_view holds, const nlohmann::json::exception& e);
// The parser's reason alone: "parse error at line 1, column 3: ...", "key 'model' not found".
std::string json_reason(const nlohmann::json::exception& e);

// The rows of a classes x classes confusion matrix (row: true class, column: predicted).
nlohmann::ordered_json confusion_matrix_json(std::span<const std::int64_t> confusion, std::size_t classes);

}  // namespace gpufm
