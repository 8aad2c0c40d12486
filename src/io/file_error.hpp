// The InputError every data file problem becomes: "PATH: PROBLEM", so the user sees which file.
#pragma once

#include <filesystem>
#include <string>

#include "gpufm/error.hpp"

namespace gpufm::io {

inline InputError file_error(const std::filesystem::path& file, const std::string& problem) {
  return InputError(file.string() + ": " + problem);
}

}  // namespace gpufm::io
