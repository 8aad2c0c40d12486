#include <algorithm>
#include <charconv>
#include <cmath>
#include <sstream>

#include "dsl/lexer.hpp"
#include "gpufm/attrs.hpp"
#include "gpufm/format.hpp"

namespace gpufm {

namespace {

using dsl::Value;

std::vector<std::int64_t> split_dims(const std::string& text) {
  std::vector<std::int64_t> dims;
  std::size_t begin = 0;
  while (begin <= text.size()) {
    std::size_t end = text.find('x', begin);
    if (end == std::string::npos) end = text.size();
    if (text[begin] == '+') ++begin;  // from_chars takes no plus sign
    std::int64_t n = 0;
    const auto [ptr, status] = std::from_chars(text.data() + begin, text.data() + end, n);
    if (status != std::errc() || ptr != text.data() + end) return {};  // out of range
    dims.push_back(n);
    begin = end + 1;
  }
  return dims;
}

std::string kind_description(const ArgSpec& spec) {
  switch (spec.kind) {
    case ArgKind::integer: return "an integer";
    case ArgKind::real: return "a number";
    case ArgKind::size2: return "a size like 3 or 3x3";
    case ArgKind::dims: return "a shape like 28x28x1 or 784";
    case ArgKind::boolean: return "true or false";
    case ArgKind::choice: return join(spec.choices, "|");
  }
  return "a value";
}

bool accepts(const ArgSpec& spec, const Value& value) {
  switch (spec.kind) {
    case ArgKind::integer: return value.kind == Value::Kind::integer;
    case ArgKind::real: return value.kind == Value::Kind::integer || value.kind == Value::Kind::real;
    case ArgKind::size2: return value.kind == Value::Kind::integer || (value.kind == Value::Kind::dims && split_dims(value.text).size() == 2);
    case ArgKind::dims: return value.kind == Value::Kind::integer || value.kind == Value::Kind::dims;
    case ArgKind::boolean: return value.kind == Value::Kind::word && (value.text == "true" || value.text == "false");
    case ArgKind::choice:
      if (value.kind != Value::Kind::word) return false;
      for (std::string_view choice : spec.choices) {
        if (choice == value.text) return true;
      }
      return false;
  }
  return false;
}

std::string range_text(const ArgSpec& spec) {
  std::ostringstream text;
  text.precision(12);
  const bool has_min = std::isfinite(spec.min), has_max = std::isfinite(spec.max);
  if (has_min && has_max) {
    text << "in " << (spec.min_open ? "(" : "[") << spec.min << ", " << spec.max << (spec.max_open ? ")" : "]");
  } else if (has_min) {
    text << (spec.min_open ? "above " : "at least ") << spec.min;
  } else {
    text << (spec.max_open ? "below " : "at most ") << spec.max;
  }
  return text.str();
}

void check_range(const std::string& what, const ArgSpec& spec, double x, const Value& value) {
  const bool too_low = spec.min_open ? x <= spec.min : x < spec.min;
  const bool too_high = spec.max_open ? x >= spec.max : x > spec.max;
  if (too_low || too_high) {
    throw SourceError(value.loc, what + ": " + std::string(spec.name) + " must be " + range_text(spec) + ", got " + value.text);
  }
}

// Converts a value the spec accepts (checked by the caller) and checks its range.
Attrs::Value convert(const std::string& what, const ArgSpec& spec, const Value& value) {
  switch (spec.kind) {
    case ArgKind::choice: return value.text;
    case ArgKind::boolean: return value.text == "true";
    case ArgKind::real: {
      const double x = std::strtod(value.text.c_str(), nullptr);
      if (!std::isfinite(x)) throw SourceError(value.loc, what + ": " + value.text + " is out of range");
      check_range(what, spec, x, value);
      return x;
    }
    default: break;
  }
  std::vector<std::int64_t> dims = split_dims(value.text);
  if (dims.empty()) throw SourceError(value.loc, what + ": " + value.text + " is too large");
  for (std::int64_t n : dims) check_range(what, spec, static_cast<double>(n), value);
  if (spec.kind == ArgKind::integer) return dims[0];
  if (spec.kind == ArgKind::size2) return dims.size() == 1 ? Size2{dims[0], dims[0]} : Size2{dims[0], dims[1]};
  return dims;
}

const ArgSpec* find_spec(Signature signature, std::string_view name) {
  for (const ArgSpec& spec : signature) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

// Where an error about an argument's value points: at the value's origin when it came through a
// variable (its `let`, or the --set that gave it), else at the argument as written.
const SourceLoc& blamed(const dsl::Arg& arg, const Value& value) { return arg.value.kind == Value::Kind::variable ? value.loc : arg.loc; }

}  // namespace

std::string Size2::str() const { return std::to_string(h) + "x" + std::to_string(w); }

std::string usage(std::string_view keyword, Signature signature) {
  std::string text(keyword);
  for (const ArgSpec& spec : signature) {
    std::string slot;
    if (!spec.positional) {
      slot = std::string(spec.name) + "=" + (spec.kind == ArgKind::choice ? kind_description(spec) : "V");
    } else if (spec.kind == ArgKind::choice) {
      slot = kind_description(spec);
    } else {
      for (char c : spec.name) slot += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    const bool required = spec.default_value.empty() && !spec.optional;
    text += required ? " " + slot : " [" + slot + "]";
  }
  return text;
}

bool Attrs::given(std::string_view name) const {
  const auto it = entries_.find(name);
  return it != entries_.end() && it->second.given;
}

void Attrs::set(std::string name, Value value, bool given) { entries_[std::move(name)] = Entry{std::move(value), given}; }

template <class T>
const T& Attrs::get(std::string_view name) const {
  const auto it = entries_.find(name);
  if (it == entries_.end()) throw std::logic_error("setting '" + std::string(name) + "' was not bound");
  return std::get<T>(it->second.value);
}

template const std::int64_t& Attrs::get(std::string_view) const;
template const double& Attrs::get(std::string_view) const;
template const Size2& Attrs::get(std::string_view) const;
template const std::vector<std::int64_t>& Attrs::get(std::string_view) const;
template const std::string& Attrs::get(std::string_view) const;
template const bool& Attrs::get(std::string_view) const;

const dsl::Value& resolve(const dsl::Value& value, const std::vector<dsl::Variable>& variables) {
  if (value.kind != Value::Kind::variable) return value;
  std::vector<std::string_view> names;
  for (const dsl::Variable& variable : variables) {
    if (variable.name == value.text) return variable.value;
    names.push_back(variable.name);
  }
  throw SourceError(value.loc, "undefined variable $" + value.text + did_you_mean(value.text, names) +
                                   " (define it with: let " + value.text + " = VALUE)");
}

Attrs bind_args(const dsl::Statement& statement, Signature signature, const std::vector<dsl::Variable>& variables,
                std::span<const std::string_view> ignored_keys) {
  const std::string& what = statement.keyword;
  Attrs attrs;
  std::map<std::string_view, bool> filled;
  auto fill = [&](const ArgSpec& spec, const dsl::Arg& arg) {
    const Value& value = resolve(arg.value, variables);
    if (filled[spec.name]) throw SourceError(arg.loc, what + ": " + std::string(spec.name) + " is given twice");
    if (!accepts(spec, value)) {
      throw SourceError(blamed(arg, value), what + ": " + std::string(spec.name) + " expects " + kind_description(spec) + ", got '" +
                                     value.text + "'" + did_you_mean(value.text, spec.choices));
    }
    attrs.set(std::string(spec.name), convert(what, spec, value), true);
    filled[spec.name] = true;
  };

  for (const dsl::Arg& arg : statement.args) {
    if (arg.key.empty()) continue;
    if (std::find(ignored_keys.begin(), ignored_keys.end(), arg.key) != ignored_keys.end()) continue;
    const ArgSpec* spec = find_spec(signature, arg.key);
    if (spec == nullptr) {
      std::vector<std::string_view> names;
      for (const ArgSpec& candidate : signature) names.push_back(candidate.name);
      throw SourceError(arg.loc, what + " has no setting '" + arg.key + "'" + did_you_mean(arg.key, names) +
                                     " (usage: " + usage(what, signature) + ")");
    }
    fill(*spec, arg);
  }
  for (const dsl::Arg& arg : statement.args) {
    if (!arg.key.empty()) continue;
    const Value& value = resolve(arg.value, variables);
    const ArgSpec* slot = nullptr;
    const ArgSpec* taken = nullptr;  // a setting the value would fill, had it not been given
    for (const ArgSpec& spec : signature) {
      if (!spec.positional || !accepts(spec, value)) continue;
      if (filled[spec.name]) {
        taken = taken ? taken : &spec;
        continue;
      }
      slot = &spec;
      break;
    }
    if (slot == nullptr && taken != nullptr) {
      throw SourceError(arg.loc, what + ": " + std::string(taken->name) + " is given twice");
    }
    if (slot == nullptr) {
      std::vector<std::string_view> words;
      for (const ArgSpec& spec : signature) words.insert(words.end(), spec.choices.begin(), spec.choices.end());
      throw SourceError(blamed(arg, value), what + ": unexpected '" + value.text + "'" + did_you_mean(value.text, words) +
                                     " (usage: " + usage(what, signature) + ")");
    }
    fill(*slot, arg);
  }
  for (const ArgSpec& spec : signature) {
    if (filled[spec.name] || spec.optional) continue;
    if (spec.default_value.empty()) {
      throw SourceError(statement.loc, what + " needs " + std::string(spec.name) + " (" + kind_description(spec) +
                                           "; usage: " + usage(what, signature) + ")");
    }
    const Value default_value = dsl::lex_value(spec.default_value, statement.loc);
    attrs.set(std::string(spec.name), convert(what, spec, default_value), false);
  }
  return attrs;
}

}  // namespace gpufm
