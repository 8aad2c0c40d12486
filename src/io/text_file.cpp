#include "gpufm/text_file.hpp"

#include <fstream>
#include <sstream>

namespace gpufm {

std::optional<std::string> read_text_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return text.str();
}

std::optional<std::string> why_not_a_file(const std::filesystem::path& path, std::string_view what) {
  std::error_code status;
  const std::filesystem::file_status file = std::filesystem::status(path, status);
  if (std::filesystem::is_regular_file(file)) return std::nullopt;
  if (!std::filesystem::exists(file)) return "no such " + std::string(what);
  if (std::filesystem::is_directory(file)) return "a directory, not a " + std::string(what);
  return "a pipe, socket or device, not a " + std::string(what);
}

}  // namespace gpufm
