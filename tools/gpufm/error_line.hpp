// The one line an error prints: what a message quotes from the user's files (a path, a token,
// a header's bytes) may hold control bytes, invalid UTF-8 or a runaway run of text, which would
// break the line or bury it.
#pragma once

#include <string>
#include <string_view>

namespace gpufm::cli {

// The message with control bytes and bytes that are not valid UTF-8 written as \xNN, and every
// run of more than 200 characters without a space cut to its first 120 and last 40 around "...".
std::string printable_line(std::string_view message);

}  // namespace gpufm::cli
