// What the fuzz targets share: how bad input may be refused, and how a broken promise is
// reported so that libFuzzer keeps the input.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "gpufm/error.hpp"

namespace gpufm::fuzz {

// Stops the run as a crash (libFuzzer saves the input) when a property does not hold.
inline void require(bool holds, const char* property, const std::string& detail = {}) {
  if (holds) return;
  std::fprintf(stderr, "fuzz: %s\n%s\n", property, detail.c_str());
  std::abort();
}

// Runs f on the input and says whether it was accepted. An InputError is how the library
// refuses input, as one line (the CLI prints it so); any other exception escapes to libFuzzer,
// which reports it as a crash.
template <class F>
bool accepted(F&& f) {
  try {
    f();
    return true;
  } catch (const InputError& e) {
    require(std::strchr(e.what(), '\n') == nullptr, "an InputError message is not one line", e.what());
    return false;
  }
}

}  // namespace gpufm::fuzz
