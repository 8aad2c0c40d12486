// The JSON forms of records that more than one file holds: an epoch's record as history.json has
// it (a study's members' best epochs too), and the four data files as settings.json names them
// (study.json too). nlohmann::json finds them by argument-dependent lookup.
#pragma once

#include <nlohmann/json.hpp>

#include "gpufm/dataset.hpp"
#include "gpufm/epoch_record.hpp"

namespace gpufm {

void to_json(nlohmann::json& json, const EpochRecord& record);
void from_json(const nlohmann::json& json, EpochRecord& record);

void to_json(nlohmann::json& json, const DataPaths& paths);
void from_json(const nlohmann::json& json, DataPaths& paths);

}  // namespace gpufm
