#include "value_checks.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>
#include <string>

namespace gpufm::cli {

namespace {

// The value when all of text is one number of type T, read as std::from_chars reads it.
template <class T>
std::optional<T> whole_text_as(const std::string& text) {
  T value{};
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc() || stop != end) return std::nullopt;
  return value;
}

}  // namespace

CLI::Validator whole_number(std::int64_t least, std::int64_t most) { return whole_number_or("", least, most); }

CLI::Validator whole_number_or(const std::string& word, std::int64_t least, std::int64_t most) {
  const std::string from = std::to_string(least), to = std::to_string(most);
  const std::string either = word.empty() ? "" : word + " or ";
  return expecting(either + "a whole number from " + from + " to " + to, either + "INT in [" + from + " - " + to + "]",
                   [=](const std::string& text) {
                     const std::optional<std::int64_t> value = whole_text_as<std::int64_t>(text);
                     return (!word.empty() && text == word) || (value && *value >= least && *value <= most);
                   });
}

CLI::Validator seed_number() {
  return expecting("a whole number from 0 to 18446744073709551615", "",
                   [](const std::string& text) { return whole_text_as<std::uint64_t>(text).has_value(); });
}

CLI::Validator positive_number() {
  return expecting("a finite number above 0", "POSITIVE", [](const std::string& text) {
    const std::optional<double> value = whole_text_as<double>(text);
    return value && std::isfinite(*value) && *value > 0;
  });
}

CLI::Validator one_of(const std::vector<std::string>& names, const std::vector<std::pair<std::string, std::string>>& aliases) {
  // "a, b or c" with last_joint " or "; "a,b,c" with joint and last_joint ",".
  const auto listed = [](const std::vector<std::string>& words, const std::string& joint, const std::string& last_joint) {
    std::string text;
    for (std::size_t i = 0; i < words.size(); ++i) text += (i == 0 ? "" : i + 1 < words.size() ? joint : last_joint) + words[i];
    return text;
  };
  std::vector<std::string> alias_words;
  for (const auto& alias : aliases) alias_words.push_back(alias.first);
  const std::string expected =
      listed(names, ", ", " or ") + (aliases.empty() ? "" : " (or an alias: " + listed(alias_words, ", ", ", ") + ")");
  const std::string description = "{" + listed(names, ",", ",") + "}";
  const CLI::Validator named =
      expecting(expected, description, [names](const std::string& text) { return std::find(names.begin(), names.end(), text) != names.end(); });
  return CLI::Validator(
      [=](std::string& text) {
        for (const auto& [alias, name] : aliases) {
          if (text == alias) text = name;
        }
        return named(text);
      },
      description);
}

void refuse_empty_values(CLI::App& app) {
  const auto non_empty = [](const std::string& advice) {
    return CLI::Validator([=](const std::string& text) { return text.empty() ? "an empty value; " + advice : std::string(); }, "");
  };
  for (CLI::Option* option : app.get_options()) {
    if (option->get_items_expected_max() == 0) continue;  // a flag without a value
    option->check(non_empty(option->get_positional() ? "give one" : "give one, or leave the flag out"));
  }
  for (CLI::App* command : app.get_subcommands([](const CLI::App*) { return true; })) refuse_empty_values(*command);
}

}  // namespace gpufm::cli
