// A fresh directory for one test, removed when the test ends, and reading a file back.
#pragma once

#include <filesystem>
#include <string>

namespace gpufm::test {

// The whole content of a file, as bytes in a string ("" when it cannot be read).
std::string read_file(const std::filesystem::path& path);

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

  // Writes text to a file in the directory and returns its path.
  std::filesystem::path write(const std::string& name, const std::string& text) const;

 private:
  std::filesystem::path path_;
};

}  // namespace gpufm::test
