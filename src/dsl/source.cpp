#include "gpufm/source.hpp"

namespace gpufm {

std::string SourceLoc::str() const {
  if (line <= 0) return file;
  return file + ":" + std::to_string(line) + ":" + std::to_string(col);
}

}  // namespace gpufm
