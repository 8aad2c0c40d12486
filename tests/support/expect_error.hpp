// Checks on the errors a call throws.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "gpufm/error.hpp"
#include "support/run_command.hpp"

namespace gpufm::test {

// Runs a callable that must throw E, and returns the message for the test to check.
template <class E = std::exception, class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected an exception, none was thrown";
  return {};
}

// Checks that text contains every one of `words`.
inline void expect_contains(const std::string& text, const std::vector<std::string>& words) {
  for (const std::string& word : words) {
    EXPECT_NE(text.find(word), std::string::npos) << "text: " << text << "\nlacks: " << word;
  }
}

// Checks that f throws an InputError whose one-line message contains every one of `words`.
template <class F>
void expect_input_error(F&& f, const std::vector<std::string>& words) {
  const std::string message = error_of<InputError>(f);
  EXPECT_EQ(message.find('\n'), std::string::npos) << "not one line: " << message;
  expect_contains(message, words);
}

// Checks that a command exited with `code` and printed one line on stderr, prefixed as main()
// prints it, that contains every one of `words`.
inline void expect_one_line_error(const CommandResult& result, int code, const std::vector<std::string>& words) {
  EXPECT_EQ(result.exit_code, code) << result.out << result.err;
  EXPECT_EQ(result.err.rfind("gpufm: error: ", 0), 0u) << result.err;
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  expect_contains(result.err, words);
}

}  // namespace gpufm::test
