// Where a piece of model text came from, so that every error can point at it.
#pragma once

#include <string>

#include "gpufm/error.hpp"

namespace gpufm {

struct SourceLoc {
  std::string file;  // a path, or "--set" for a command-line override
  int line = 0;      // 1-based; 0 when the text has no lines (an override)
  int col = 0;       // 1-based

  // "models/cnn.dsl:3:8", or the file alone when there is no line.
  std::string str() const;
};

// An error in model text: "FILE:LINE:COL: MESSAGE".
class SourceError : public InputError {
 public:
  SourceError(const SourceLoc& where, const std::string& message)
      : InputError(where.str() + ": " + message) {}
};

}  // namespace gpufm
