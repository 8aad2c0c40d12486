// Reading a whole file, for the callers that say in their own words what its absence means.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace gpufm {

// The file's bytes; nullopt when it cannot be opened or read.
std::optional<std::string> read_text_file(const std::filesystem::path& path);

}  // namespace gpufm
