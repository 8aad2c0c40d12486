// `--set key=value`: a key is a variable (let NAME = ...), a train statement (loss, target,
// optimizer, batch, epochs, validation, schedule, early_stopping, augment, on_nan, fine_tune,
// precision), a hyperparameter of the optimizer in use (lr, momentum, ...), or a statement's
// setting written STATEMENT.SETTING (schedule.factor, early_stopping.patience, augment.rotate).
// Overrides edit the syntax tree, so the run records the model as used.
#include <algorithm>
#include <optional>

#include "dsl/lexer.hpp"
#include "gpufm/dsl.hpp"
#include "gpufm/format.hpp"
#include "gpufm/train_settings.hpp"

namespace gpufm::dsl {

namespace {

// The text a value stands for, following a $variable.
std::string resolve_text(const Value& value, const Model& model) {
  if (value.kind != Value::Kind::variable) return value.text;
  for (const Variable& variable : model.variables) {
    if (variable.name == value.text) return variable.value.text;
  }
  return value.text;
}

Statement* find_statement(std::vector<Statement>& section, std::string_view keyword) {
  for (Statement& statement : section) {
    if (statement.keyword == keyword) return &statement;
  }
  return nullptr;
}

Statement& statement_for(Model& model, std::string_view keyword, const SourceLoc& origin) {
  if (Statement* existing = find_statement(model.train, keyword)) return *existing;
  model.train.push_back(Statement{std::string(keyword), origin, {}, ""});
  return model.train.back();
}

// Replaces the statement's positional value (its first), or adds it. The value's location,
// the --set flag, is where errors about it will point.
void set_positional(Statement& statement, const Value& value) {
  for (Arg& arg : statement.args) {
    if (arg.key.empty()) {
      arg = Arg{"", value, value.loc};
      return;
    }
  }
  statement.args.insert(statement.args.begin(), Arg{"", value, value.loc});
}

std::string current_optimizer(const Model& model) {
  for (const Statement& statement : model.train) {
    if (statement.keyword != "optimizer") continue;
    for (const Arg& arg : statement.args) {
      if (arg.key.empty()) return resolve_text(arg.value, model);
    }
  }
  return "adam";
}

Signature optimizer_signature(std::string_view optimizer) { return named_statement_signature("optimizer", optimizer); }

bool takes(Signature signature, std::string_view key) {
  return std::any_of(signature.begin(), signature.end(), [&](const ArgSpec& spec) { return spec.name == key; });
}

// A statement that names what follows (optimizer, schedule) under a new name keeps the settings
// the new one also takes (lr, say) and drops the others.
void change_name(Model& model, const std::string& keyword, const Value& value, const SourceLoc& origin) {
  Statement& statement = statement_for(model, keyword, origin);
  set_positional(statement, value);
  const Signature signature = named_statement_signature(keyword, value.text);
  if (signature.empty()) return;  // compiling names the unknown name
  std::erase_if(statement.args, [&](const Arg& arg) { return !arg.key.empty() && !takes(signature, arg.key); });
}

void set_keyed(Statement& statement, const std::string& key, const Value& value, const SourceLoc& origin) {
  for (Arg& arg : statement.args) {
    if (arg.key == key) {
      arg = Arg{key, value, origin};
      return;
    }
  }
  statement.args.push_back(Arg{key, value, origin});
}

void set_hyperparameter(Model& model, const Override& override, const Value& value, const SourceLoc& origin) {
  Statement& statement = statement_for(model, "optimizer", origin);
  if (statement.args.empty()) statement.args.push_back(Arg{"", Value{Value::Kind::word, "adam", origin}, origin});
  set_keyed(statement, override.key, value, origin);
}

bool is_train_statement(std::string_view keyword) {
  const auto statements = train_statement_keywords();
  return std::find(statements.begin(), statements.end(), keyword) != statements.end();
}

// "schedule.factor" -> the statement's keyword, if the part before the dot is one.
std::optional<std::string> qualifying_statement(const std::string& key) {
  const std::size_t dot = key.find('.');
  if (dot == std::string::npos || !is_train_statement(key.substr(0, dot))) return std::nullopt;
  return key.substr(0, dot);
}

[[noreturn]] void unknown_key(const Model& model, const Override& override, const std::string& optimizer, const SourceLoc& origin) {
  std::vector<std::string_view> keys;
  for (const Variable& variable : model.variables) keys.push_back(variable.name);
  for (std::string_view keyword : train_statement_keywords()) keys.push_back(keyword);
  for (const ArgSpec& spec : optimizer_signature(optimizer)) {
    if (!spec.positional) keys.push_back(spec.name);
  }
  const std::string list = join(keys, ", ");
  std::string hint;
  for (std::string_view other : named_statement_names("optimizer")) {
    if (other != optimizer && takes(optimizer_signature(other), override.key)) {
      hint = " ('" + override.key + "' is a setting of " + std::string(other) + ", not of " + optimizer + ")";
      break;
    }
  }
  // The optimizer's hyperparameters need no qualifying; other statements' settings do.
  std::string qualified;
  for (std::string_view keyword : train_statement_keywords()) {
    if (keyword == "optimizer" || !train_statement_takes(keyword, override.key)) continue;
    qualified += (qualified.empty() ? "" : " or ") + std::string(keyword) + "." + override.key;
  }
  if (!qualified.empty()) hint += " (write it as " + qualified + ")";
  throw SourceError(origin, "unknown key '" + override.key + "'" + did_you_mean(override.key, keys) + hint + " (keys: " + list + ")");
}

}  // namespace

Override parse_override(std::string_view text) {
  const std::size_t equals = text.find('=');
  if (equals == std::string_view::npos || equals == 0 || equals + 1 == text.size()) {
    throw InputError("--set " + std::string(text) + ": expected KEY=VALUE (as: --set lr=0.01)");
  }
  return Override{std::string(text.substr(0, equals)), std::string(text.substr(equals + 1))};
}

void apply_overrides(Model& model, const std::vector<Override>& overrides) {
  // Name changes (optimizer, schedule) go first, so that the settings that follow are checked
  // against the new name's.
  const auto names_what_follows = [](const std::string& key) { return !named_statement_names(key).empty(); };
  std::vector<Override> ordered = overrides;
  std::stable_partition(ordered.begin(), ordered.end(), [&](const Override& o) { return names_what_follows(o.key); });
  for (const Override& override : ordered) {
    const SourceLoc origin{"--set " + override.key + "=" + override.value, 0, 0};
    const auto variable = std::find_if(model.variables.begin(), model.variables.end(),
                                       [&](const Variable& v) { return v.name == override.key; });
    // A path needs no quotes on the command line: a string variable takes the text as it is.
    const bool string_variable = variable != model.variables.end() && variable->value.kind == Value::Kind::string &&
                                 !override.value.starts_with('"');
    const Value value = string_variable ? Value{Value::Kind::string, override.value, origin} : lex_value(override.value, origin);
    if (value.kind == Value::Kind::variable) throw SourceError(origin, "a value given with --set is written out, not a variable");
    if (variable != model.variables.end()) {
      variable->value = value;
    } else if (names_what_follows(override.key)) {
      change_name(model, override.key, value, origin);
    } else if (is_train_statement(override.key)) {
      set_positional(statement_for(model, override.key, origin), value);
    } else if (const std::optional<std::string> keyword = qualifying_statement(override.key)) {
      set_keyed(statement_for(model, *keyword, origin), override.key.substr(keyword->size() + 1), value, origin);
    } else if (const std::string optimizer = current_optimizer(model); takes(optimizer_signature(optimizer), override.key)) {
      set_hyperparameter(model, override, value, origin);
    } else {
      unknown_key(model, override, optimizer, origin);
    }
  }
}

}  // namespace gpufm::dsl
