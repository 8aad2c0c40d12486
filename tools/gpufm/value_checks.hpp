// Checks of flag values whose failures say what was expected. The numeric ones exist because
// CLI11's Range reads "1.5" as out of range for an integer flag and lets NaN through for a real
// one, and an unsigned flag takes "-1" as its largest value.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace gpufm::cli {

// Passes text when holds(text), else says "'TEXT': expected EXPECTED"; `description` is what
// --help shows after the type.
template <class Holds>
CLI::Validator expecting(const std::string& expected, const std::string& description, Holds holds) {
  return CLI::Validator([=](std::string& text) { return holds(text) ? std::string() : "'" + text + "': expected " + expected; },
                        description);
}

// A whole number from least to most, in decimal digits ("1.5" and "1e3" are not).
CLI::Validator whole_number(std::int64_t least, std::int64_t most);

// The word (as "auto"), or a whole number from least to most.
CLI::Validator whole_number_or(const std::string& word, std::int64_t least, std::int64_t most);

// A seed: any whole number from 0 to 2^64 - 1.
CLI::Validator seed_number();

// A finite number above 0.
CLI::Validator positive_number();

// One of names, or an alias, which the value becomes the name it stands for (give it to
// Option::transform: Option::check keeps the value as typed).
CLI::Validator one_of(const std::vector<std::string>& names, const std::vector<std::pair<std::string, std::string>>& aliases);

// Makes every option of the app and its commands that takes a value refuse an empty one, from
// the command line or gpufm.toml: "" would otherwise read as not given (--out "" the default
// run directory, --resume "" a fresh run, --plot "" a file named ".svg").
void refuse_empty_values(CLI::App& app);

}  // namespace gpufm::cli
