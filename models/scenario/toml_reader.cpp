// SPDX-License-Identifier: MIT
#include "models/scenario/toml_reader.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace mhsim::scenario {

namespace {
std::string parameters_of(const std::string& family) {
  if (family == "exponential") return "mean or rate";
  if (family == "deterministic") return "value";
  if (family == "uniform") return "min, max";
  if (family == "triangular") return "min, mode, max";
  if (family == "gamma") return "shape and scale, or mean and cv";
  if (family == "erlang") return "k, mean";
  if (family == "lognormal") return "mean, sd";
  if (family == "weibull") return "shape, scale";
  return "";
}
}  // namespace

std::string describe(const toml::node& node) {
  if (const auto* s = node.as_string()) return "the string \"" + s->get() + "\"";
  if (const auto* i = node.as_integer()) return std::to_string(i->get());
  if (const auto* f = node.as_floating_point()) return number_text(f->get());
  if (const auto* b = node.as_boolean()) return b->get() ? "true" : "false";
  if (node.is_table()) return "a table";
  if (node.is_array()) return "an array";
  return "a date or time";
}

std::pair<std::uint32_t, std::uint32_t> first_position(const toml::node& node) {
  const auto& b = node.source().begin;
  if (b.line > 0) return {b.line, b.column};
  std::pair<std::uint32_t, std::uint32_t> best{0, 0};
  auto consider = [&best](const toml::node& child) {
    const auto p = first_position(child);
    if (p.first > 0 && (best.first == 0 || p < best)) best = p;
  };
  if (const auto* t = node.as_table()) {
    for (const auto& [k, v] : *t) consider(v);
  } else if (const auto* a = node.as_array()) {
    for (const toml::node& v : *a) consider(v);
  }
  return best;
}

std::pair<std::uint32_t, std::uint32_t> position(const toml::node& node, const toml::node* fallback) {
  const auto& b = node.source().begin;
  if (b.line > 0) return {b.line, b.column};
  if (fallback != nullptr && fallback->source().begin.line > 0) {
    return {fallback->source().begin.line, fallback->source().begin.column};
  }
  return {1, 1};
}

std::pair<std::uint32_t, std::uint32_t> key_position(const toml::key& k, const toml::node& value,
                                                     const toml::node* fallback) {
  const auto& b = k.source().begin;
  if (b.line > 0) return {b.line, b.column};
  return position(value, fallback);
}

TableReader::TableReader(const toml::table& table, std::string path, std::string pattern,
                         const std::string& file, Diagnostics& diag, KeyModel model, NumberOverrides* overrides)
    : table_(table),
      path_(std::move(path)),
      pattern_(std::move(pattern)),
      file_(file),
      diag_(diag),
      model_(model),
      overrides_(overrides) {}

TableReader TableReader::sub(const toml::table& table, std::string path, std::string pattern) const {
  return TableReader(table, std::move(path), std::move(pattern), file_, diag_, model_, overrides_);
}

std::optional<double> TableReader::value_of(const toml::node& node) const {
  if (!node.is_integer() && !node.is_floating_point()) return std::nullopt;
  if (overrides_ != nullptr && overrides_->size() > 0) {
    if (const double* v = overrides_->find(node)) return *v;
  }
  if (const auto* i = node.as_integer()) return static_cast<double>(i->get());
  return node.as_floating_point()->get();
}

std::string TableReader::describe_value(const toml::node& node) const {
  if (overrides_ != nullptr && overrides_->size() > 0 && (node.is_integer() || node.is_floating_point())) {
    if (const double* v = overrides_->find(node)) return number_text(*v);
  }
  return describe(node);
}

std::string TableReader::child_path(std::string_view leaf) const {
  return path_.empty() ? std::string(leaf) : path_ + "." + std::string(leaf);
}

bool TableReader::has(std::string_view leaf) {
  if (table_.get(leaf) == nullptr) return false;
  read_.emplace(leaf);
  return true;
}

const toml::node* TableReader::find(const KeySpec& spec, std::string_view leaf) {
  if (leaf.empty()) leaf = spec.leaf();
  const toml::node* node = table_.get(leaf);
  if (node != nullptr) read_.emplace(leaf);
  else if (spec.required) missing(spec, leaf);
  return node;
}

void TableReader::missing(const KeySpec& spec, std::string_view leaf) {
  const auto [line, col] = position(table_);
  diag_.add(Diagnostic{file_, line, col, child_path(leaf.empty() ? spec.leaf() : leaf),
                       spec.expectation() + " (required)", "nothing (the key is missing)"});
}

void TableReader::wrong(const KeySpec& spec, const toml::node& node, std::string_view leaf) {
  const auto [line, col] = position(node, &table_);
  diag_.add(Diagnostic{file_, line, col, child_path(leaf.empty() ? spec.leaf() : leaf), spec.expectation(),
                       describe_value(node)});
}

void TableReader::error(std::string_view leaf, std::string expected, std::string got) {
  const toml::node* node = table_.get(leaf);
  const auto [line, col] = node ? position(*node, &table_) : position(table_);
  diag_.add(Diagnostic{file_, line, col, child_path(leaf), std::move(expected), std::move(got)});
}

void TableReader::error_here(std::string expected, std::string got) {
  const auto [line, col] = position(table_);
  diag_.add(Diagnostic{file_, line, col, path_, std::move(expected), std::move(got)});
}

std::optional<std::int64_t> TableReader::integer(const KeySpec& spec, std::string_view leaf) {
  const toml::node* node = find(spec, leaf);
  if (node == nullptr) return std::nullopt;
  if (!node->is_integer()) {
    // Accept 3.0 for an integer key? No: a float where an integer is expected is usually a
    // mistake (3.5 servers); say so.
    wrong(spec, *node, leaf);
    return std::nullopt;
  }
  double x = static_cast<double>(node->as_integer()->get());
  if (overrides_ != nullptr && overrides_->size() > 0) {
    if (const double* v = overrides_->find(*node, true)) x = *v;
  }
  if (!(x >= spec.min && x <= spec.max) || x != std::floor(x)) {
    wrong(spec, *node, leaf);
    return std::nullopt;
  }
  return static_cast<std::int64_t>(x);
}

namespace {
std::string quoted_list(const std::vector<std::string>& names, std::string_view first = {}) {
  std::string out;
  if (!first.empty()) out = "\"" + std::string(first) + "\"";
  for (const std::string& n : names) out += (out.empty() ? "\"" : ", \"") + n + "\"";
  return out;
}
}  // namespace

std::optional<double> TableReader::number(const KeySpec& spec, std::string_view leaf) {
  const toml::node* node = find(spec, leaf);
  if (node == nullptr) return std::nullopt;
  const std::optional<double> x = value_of(*node);
  if (!x || !std::isfinite(*x) || *x < spec.min || *x > spec.max) {
    wrong(spec, *node, leaf);
    return std::nullopt;
  }
  return x;
}

std::optional<std::optional<double>> TableReader::number_or_none(const KeySpec& spec) {
  const toml::node* node = find(spec);
  if (node == nullptr) return std::nullopt;
  if (const auto* s = node->as_string(); s != nullptr && s->get() == "none") return std::optional<double>{};
  const std::optional<double> x = value_of(*node);
  if (!x || !std::isfinite(*x) || *x < spec.min || *x > spec.max) {
    wrong(spec, *node);
    return std::nullopt;
  }
  return std::optional<double>{*x};
}

std::optional<bool> TableReader::boolean(const KeySpec& spec) {
  const toml::node* node = find(spec);
  if (node == nullptr) return std::nullopt;
  if (const auto* b = node->as_boolean()) return b->get();
  wrong(spec, *node);
  return std::nullopt;
}

std::optional<std::vector<double>> TableReader::numbers(const KeySpec& spec) {
  const toml::node* node = find(spec);
  if (node == nullptr) return std::nullopt;
  const auto* array = node->as_array();
  if (array == nullptr) {
    wrong(spec, *node);
    return std::nullopt;
  }
  std::vector<double> out;
  bool ok = true;
  for (std::size_t i = 0; i < array->size(); ++i) {
    const toml::node& v = *array->get(i);
    const std::optional<double> x = value_of(v);
    if (!x || !std::isfinite(*x) || *x < spec.min || *x > spec.max) {
      const auto [line, col] = position(v, node);
      diag_.add(Diagnostic{file_, line, col, child_path(spec.leaf()) + "[" + std::to_string(i) + "]",
                           "a number in [" + number_text(spec.min) + ", " + number_text(spec.max) + "]", describe_value(v)});
      ok = false;
      continue;
    }
    out.push_back(*x);
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<std::vector<double>> TableReader::by_name(const KeySpec& spec, const std::vector<std::string>& names,
                                                        std::string_view noun, double missing_value) {
  const toml::node* node = find(spec);
  if (node == nullptr) return std::nullopt;
  const std::string range = "a number in [" + number_text(spec.min) + ", " + number_text(spec.max) + "]";
  const auto in_range = [&](std::optional<double> x) {
    return x && std::isfinite(*x) && *x >= spec.min && *x <= spec.max;
  };
  if (const auto* t = node->as_table()) {
    std::vector<double> out(names.size(), missing_value);
    bool ok = true;
    const std::string path = child_path(spec.leaf());
    for (const auto& [k, v] : *t) {
      const auto it = std::find(names.begin(), names.end(), k.str());
      if (it == names.end()) {
        const auto [line, col] = key_position(k, v, t);
        diag_.add(Diagnostic{file_, line, col, path + "." + std::string(k.str()),
                             "a " + std::string(noun) + " (one of " + quoted_list(names) + ")",
                             "an unknown " + std::string(noun) + " \"" + std::string(k.str()) + "\""});
        ok = false;
        continue;
      }
      const std::optional<double> x = value_of(v);
      if (!in_range(x)) {
        const auto [line, col] = position(v, t);
        diag_.add(Diagnostic{file_, line, col, path + "." + std::string(k.str()), range, describe_value(v)});
        ok = false;
        continue;
      }
      out[static_cast<std::size_t>(it - names.begin())] = *x;
    }
    if (!ok) return std::nullopt;
    return out;
  }
  const std::optional<double> x = value_of(*node);
  if (!in_range(x)) {
    wrong(spec, *node);
    return std::nullopt;
  }
  return std::vector<double>(names.size(), *x);
}

std::optional<RouteList> TableReader::routes(const KeySpec& spec, const RouteTargets& targets, std::string_view leaf) {
  const toml::node* node = find(spec, leaf);
  if (node == nullptr) return std::nullopt;
  const auto* routes = node->as_table();
  if (routes == nullptr) {
    wrong(spec, *node, leaf);
    return std::nullopt;
  }
  const std::string path = child_path(leaf.empty() ? spec.leaf() : leaf);
  const auto allowed = [&](std::size_t i) { return targets.allowed.empty() || targets.allowed[i]; };
  double total = 0.0;
  bool ok = true;
  // Keep the file's order so the routing draw maps to targets as written.
  std::vector<std::pair<std::pair<std::uint32_t, std::uint32_t>, std::pair<std::size_t, double>>> ordered;
  for (const auto& [k, v] : *routes) {
    const std::string target(k.str());
    const auto [line, col] = position(v, routes);
    const auto [kline, kcol] = key_position(k, v, routes);
    std::size_t t = kRouteExit;
    if (target != targets.exit_word) {
      const auto it = std::find(targets.names.begin(), targets.names.end(), target);
      const auto i = static_cast<std::size_t>(it - targets.names.begin());
      if (it == targets.names.end() || !allowed(i)) {
        std::vector<std::string> ok_names;
        for (std::size_t j = 0; j < targets.names.size(); ++j) {
          if (allowed(j)) ok_names.push_back(targets.names[j]);
        }
        const std::string which = targets.restriction.empty() ? "" : " " + targets.restriction;
        diag_.add(Diagnostic{file_, kline, kcol, path + "." + target,
                             "a route to a " + targets.noun + which + " or to " + targets.exit_word + " (one of " +
                                 quoted_list(ok_names, targets.exit_word) + ")",
                             it == targets.names.end()
                                 ? "an unknown " + targets.noun + " \"" + target + "\""
                                 : "the " + targets.noun + " \"" + target + "\", which is not" + which});
        ok = false;
        continue;
      }
      t = i;
    }
    const std::optional<double> p = value_of(v);
    if (!p || !(*p >= 0.0 && *p <= 1.0)) {
      diag_.add(Diagnostic{file_, line, col, path + "." + target, "a probability in [0, 1]", describe_value(v)});
      ok = false;
      continue;
    }
    total += *p;
    if (*p > 0.0) ordered.push_back({{line, col}, {t, *p}});
  }
  if (!ok) return std::nullopt;
  if (std::fabs(total - 1.0) > 1e-9) {
    const auto [line, col] = position(*routes, &table_);
    diag_.add(Diagnostic{file_, line, col, path, "probabilities that sum to 1", "a sum of " + number_text(total)});
    return std::nullopt;
  }
  std::stable_sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  RouteList out;
  for (const auto& [pos, r] : ordered) out.push_back(r);
  return out;
}

std::optional<std::string> TableReader::string(const KeySpec& spec, std::string_view leaf) {
  const toml::node* node = find(spec, leaf);
  if (node == nullptr) return std::nullopt;
  const auto* s = node->as_string();
  if (s == nullptr) {
    wrong(spec, *node, leaf);
    return std::nullopt;
  }
  return s->get();
}

std::optional<std::string> TableReader::choice(const KeySpec& spec) {
  const toml::node* node = find(spec);
  if (node == nullptr) return std::nullopt;
  const auto* s = node->as_string();
  if (s != nullptr) {
    for (std::string_view c : spec.choices) {
      if (c == s->get()) return s->get();
    }
  }
  wrong(spec, *node);
  return std::nullopt;
}

const toml::table* TableReader::table(const KeySpec& spec) {
  const toml::node* node = find(spec);
  if (node == nullptr) return nullptr;
  const auto* t = node->as_table();
  if (t == nullptr) wrong(spec, *node);
  return t;
}

std::optional<engine::Distribution> TableReader::distribution(const KeySpec& spec) {
  const toml::table* t = table(spec);
  if (t == nullptr) return std::nullopt;
  TableReader d = sub(*t, child_path(spec.leaf()), "<dist>");
  const std::size_t errors_before = diag_.size();
  const std::optional<std::string> family = d.choice(key("<dist>.distribution"));
  if (!family) return std::nullopt;  // its parameters cannot be checked without a family
  // Parameters each family takes; any other key is reported by finish().
  auto num = [&](const char* leaf) { return d.number(key(std::string("<dist>.") + leaf)); };
  auto need = [&](std::optional<double> v, const char* leaf, const std::string& fam) {
    if (!v && !d.has(leaf)) {
      d.error_here("a \"" + std::string(leaf) + "\" parameter for the " + fam + " distribution", "none");
    }
    return v;
  };
  auto positive = [&](std::optional<double> v, const char* leaf) {
    if (v && !(*v > 0.0)) {
      d.error(leaf, "a number > 0", number_text(*v));
      return std::optional<double>{};
    }
    return v;
  };
  std::optional<engine::Distribution> out;
  const std::string& f = *family;
  if (f == "exponential") {
    const bool has_mean = d.has("mean"), has_rate = d.has("rate");
    if (has_mean == has_rate) {
      d.error_here("exactly one of \"mean\" or \"rate\" for the exponential distribution",
                   has_mean ? "both" : "neither");
    } else if (has_mean) {
      if (auto m = positive(num("mean"), "mean")) out = engine::dist::Exponential{*m};
    } else if (auto r = positive(num("rate"), "rate")) {
      out = engine::dist::Exponential{1.0 / *r};
    }
  } else if (f == "deterministic") {
    if (auto v = need(num("value"), "value", f)) out = engine::dist::Deterministic{*v};
  } else if (f == "uniform") {
    auto lo = need(num("min"), "min", f), hi = need(num("max"), "max", f);
    if (lo && hi) {
      if (*lo < *hi) out = engine::dist::Uniform{*lo, *hi};
      else d.error("max", "max > min (" + number_text(*lo) + ")", number_text(*hi));
    }
  } else if (f == "triangular") {
    auto lo = need(num("min"), "min", f), mode = need(num("mode"), "mode", f), hi = need(num("max"), "max", f);
    if (lo && mode && hi) {
      if (!(*lo < *hi)) d.error("max", "max > min (" + number_text(*lo) + ")", number_text(*hi));
      else if (*mode < *lo || *mode > *hi)
        d.error("mode", "min <= mode <= max (" + number_text(*lo) + " to " + number_text(*hi) + ")", number_text(*mode));
      else out = engine::dist::Triangular{*lo, *mode, *hi};
    }
  } else if (f == "gamma") {
    // Evaluate every has(): each marks its key as read.
    const bool has_mean = d.has("mean"), has_cv = d.has("cv"), has_shape = d.has("shape"), has_scale = d.has("scale");
    const bool by_moments = has_mean || has_cv;
    const bool by_shape = has_shape || has_scale;
    if (by_moments == by_shape) {
      d.error_here("either \"shape\" and \"scale\", or \"mean\" and \"cv\", for the gamma distribution",
                   by_moments ? "both kinds" : "neither");
    } else if (by_moments) {
      auto m = positive(need(num("mean"), "mean", f), "mean"), cv = positive(need(num("cv"), "cv", f), "cv");
      if (m && cv) out = engine::dist::Gamma{1.0 / (*cv * *cv), *m * *cv * *cv};
    } else {
      auto k = positive(need(num("shape"), "shape", f), "shape"), s = positive(need(num("scale"), "scale", f), "scale");
      if (k && s) out = engine::dist::Gamma{*k, *s};
    }
  } else if (f == "erlang") {
    auto k = d.integer(key("<dist>.k"));
    if (!k && !d.has("k")) d.error_here("a \"k\" parameter for the erlang distribution", "none");
    auto m = positive(need(num("mean"), "mean", f), "mean");
    if (k && m) out = engine::dist::Erlang{static_cast<int>(*k), *m};
  } else if (f == "lognormal") {
    auto m = positive(need(num("mean"), "mean", f), "mean"), sd = positive(need(num("sd"), "sd", f), "sd");
    if (m && sd) out = engine::dist::Lognormal{*m, *sd};
  } else if (f == "weibull") {
    auto k = positive(need(num("shape"), "shape", f), "shape"), s = positive(need(num("scale"), "scale", f), "scale");
    if (k && s) out = engine::dist::Weibull{*k, *s};
  }
  d.finish("a parameter of the " + f + " distribution (" + parameters_of(f) + ")");
  if (diag_.size() != errors_before) return std::nullopt;
  return out;
}

void TableReader::finish(std::string expected) {
  if (expected.empty()) {
    // The keys the key table declares directly under this table's pattern.
    const std::string prefix = pattern_.empty() ? "" : pattern_ + ".";
    for (const KeySpec& spec : all_keys()) {
      if (!spec.applies_to(model_)) continue;
      const std::string_view p = spec.path;
      if (p.size() <= prefix.size() || p.substr(0, prefix.size()) != prefix) continue;
      const std::string_view rest = p.substr(prefix.size());
      if (rest.find('.') != std::string_view::npos || rest.front() == '<') continue;
      expected += expected.empty() ? "one of " : ", ";
      expected += rest;
    }
    if (expected.empty()) expected = "no keys here";
  }
  for (const auto& [k, node] : table_) {
    if (read_.count(k.str()) != 0) continue;
    const auto [line, col] = key_position(k, node, &table_);
    diag_.add(Diagnostic{file_, line, col, child_path(k.str()), expected,
                         "an unknown key \"" + std::string(k.str()) + "\""});
  }
}

std::vector<NamedTable> named_tables(TableReader& parent, const KeySpec& spec, std::string_view noun,
                                     double max_entries) {
  std::vector<NamedTable> out;
  const toml::table* t = parent.table(spec);
  if (t == nullptr) return out;
  const std::string path = parent.child_path(spec.leaf());
  Diagnostics& diag = parent.diagnostics();
  std::vector<std::pair<std::pair<std::uint32_t, std::uint32_t>, NamedTable>> entries;
  for (const auto& [k, node] : *t) {
    const std::string name(k.str());
    const auto* sub = node.as_table();
    if (sub == nullptr) {
      const auto [line, col] = position(node, t);
      diag.add(Diagnostic{parent.file(), line, col, path + "." + name,
                          "a table describing a " + std::string(noun) + " ([" + path + "." + name + "])",
                          describe(node)});
      continue;
    }
    auto at = first_position(*sub);
    if (at.first == 0) at = key_position(k, node, t);
    entries.push_back({at, NamedTable{name, sub}});
  }
  // toml++ sorts keys; the file's order is the index order.
  std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& e : entries) out.push_back(std::move(e.second));
  const auto [line, col] = position(*t, &parent.raw());
  if (out.empty() && t->empty()) {
    diag.add(Diagnostic{parent.file(), line, col, path, "at least one " + std::string(noun), "none"});
  } else if (static_cast<double>(out.size()) > max_entries) {
    diag.add(Diagnostic{parent.file(), line, col, path,
                        "at most " + number_text(max_entries) + " " + std::string(noun) + "s",
                        std::to_string(out.size())});
  }
  return out;
}

toml::table parse_toml(std::string_view text, const std::string& file) {
  try {
    return toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    const auto& b = e.source().begin;
    throw ScenarioError({Diagnostic{file, b.line, b.column, "", "valid TOML", std::string(e.description())}});
  }
}

std::string read_scenario_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    throw ScenarioError({Diagnostic{path, 0, 0, "", "a readable scenario file",
                                    err ? std::string(std::strerror(err)) : "a file that cannot be opened"}});
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

}  // namespace mhsim::scenario
