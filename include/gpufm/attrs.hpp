// Typed settings of one statement (a layer's filters and kernel, a train setting's value),
// bound from model text against a signature that says what the statement takes.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "gpufm/dsl.hpp"

namespace gpufm {

struct Size2 {
  std::int64_t h = 0, w = 0;
  bool operator==(const Size2&) const = default;
  std::string str() const;  // "3x3"
};

enum class ArgKind {
  integer,  // 32
  real,     // 0.25 (an integer is accepted)
  size2,    // 3x3, or 3 for 3x3
  dims,     // 28x28x1, or 784
  choice,   // one word of `choices`
  boolean,  // true or false
};

struct ArgSpec {
  std::string_view name;
  ArgKind kind = ArgKind::integer;
  std::string_view default_value = {};  // model text; empty means required, unless optional
  bool optional = false;                // may be absent, with no default (check Attrs::given)
  bool positional = true;               // may be given without "name="
  std::span<const std::string_view> choices = {};
  double min = -std::numeric_limits<double>::infinity();  // inclusive unless min_open; for integer, real, size2, dims
  bool min_open = false;
  double max = std::numeric_limits<double>::infinity();   // inclusive unless max_open
  bool max_open = false;
};

using Signature = std::span<const ArgSpec>;

// "conv2d FILTERS KERNEL [valid|same] [ACTIVATION] [stride=SIZE] ..."
std::string usage(std::string_view keyword, Signature signature);

class Attrs {
 public:
  using Value = std::variant<std::int64_t, double, Size2, std::vector<std::int64_t>, std::string, bool>;

  std::int64_t integer(std::string_view name) const { return get<std::int64_t>(name); }
  double real(std::string_view name) const { return get<double>(name); }
  Size2 size2(std::string_view name) const { return get<Size2>(name); }
  const std::vector<std::int64_t>& dims(std::string_view name) const { return get<std::vector<std::int64_t>>(name); }
  const std::string& choice(std::string_view name) const { return get<std::string>(name); }
  bool boolean(std::string_view name) const { return get<bool>(name); }

  bool given(std::string_view name) const;  // set from model text rather than by default
  void set(std::string name, Value value, bool given);

 private:
  struct Entry {
    Value value;
    bool given = false;
  };
  template <class T>
  const T& get(std::string_view name) const;

  std::map<std::string, Entry, std::less<>> entries_;
};

// Binds a statement's arguments to a signature: a KEY=VALUE sets that setting; a positional
// value fills the first unfilled positional setting that accepts its kind; defaults fill the
// rest. $variables resolve through `variables`. Every mistake is a SourceError pointing at the
// offending text. Keys in `ignored_keys` (such as `name`) are left for the caller.
Attrs bind_args(const dsl::Statement& statement, Signature signature, const std::vector<dsl::Variable>& variables,
                std::span<const std::string_view> ignored_keys = {});

// The value a $variable stands for, or the value itself.
const dsl::Value& resolve(const dsl::Value& value, const std::vector<dsl::Variable>& variables);

// "; did you mean 'conv2d'?" when one candidate is close to `word`, else "".
std::string did_you_mean(std::string_view word, std::span<const std::string_view> candidates);

}  // namespace gpufm
