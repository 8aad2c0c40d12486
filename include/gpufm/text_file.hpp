// Reading a whole file, for the callers that say in their own words what its absence means, and
// checking that a path the user gave is a file before opening it: a FIFO would block the open.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace gpufm {

// The file's bytes; nullopt when it cannot be opened or read.
std::optional<std::string> read_text_file(const std::filesystem::path& path);

// Why `path` cannot be read as `what` ("model file"): "no such model file", "a directory, not a
// model file", "a pipe, socket or device, not a model file"; nullopt for a regular file.
std::optional<std::string> why_not_a_file(const std::filesystem::path& path, std::string_view what);

}  // namespace gpufm
