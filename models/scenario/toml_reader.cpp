// SPDX-License-Identifier: MIT
#include "models/scenario/toml_reader.hpp"

#include <cmath>
#include <cstdio>

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
                         const std::string& file, Diagnostics& diag)
    : table_(table), path_(std::move(path)), pattern_(std::move(pattern)), file_(file), diag_(diag) {}

std::string TableReader::child_path(std::string_view leaf) const {
  return path_.empty() ? std::string(leaf) : path_ + "." + std::string(leaf);
}

bool TableReader::has(std::string_view leaf) {
  if (table_.get(leaf) == nullptr) return false;
  read_.emplace(leaf);
  return true;
}

const toml::node* TableReader::find(const KeySpec& spec) {
  const std::string_view leaf = spec.leaf();
  const toml::node* node = table_.get(leaf);
  if (node != nullptr) read_.emplace(leaf);
  else if (spec.required) missing(spec);
  return node;
}

void TableReader::missing(const KeySpec& spec) {
  const auto [line, col] = position(table_);
  diag_.add(Diagnostic{file_, line, col, child_path(spec.leaf()), spec.expectation() + " (required)",
                       "nothing (the key is missing)"});
}

void TableReader::wrong(const KeySpec& spec, const toml::node& node) {
  const auto [line, col] = position(node, &table_);
  diag_.add(Diagnostic{file_, line, col, child_path(spec.leaf()), spec.expectation(), describe(node)});
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

std::optional<std::int64_t> TableReader::integer(const KeySpec& spec) {
  const toml::node* node = find(spec);
  if (node == nullptr) return std::nullopt;
  const auto* v = node->as_integer();
  if (v == nullptr) {
    // Accept 3.0 for an integer key? No: a float where an integer is expected is usually a
    // mistake (3.5 servers); say so.
    wrong(spec, *node);
    return std::nullopt;
  }
  const auto x = static_cast<double>(v->get());
  if (x < spec.min || x > spec.max) {
    wrong(spec, *node);
    return std::nullopt;
  }
  return v->get();
}

std::optional<double> TableReader::number(const KeySpec& spec) {
  const toml::node* node = find(spec);
  if (node == nullptr) return std::nullopt;
  double x;
  if (const auto* i = node->as_integer()) x = static_cast<double>(i->get());
  else if (const auto* f = node->as_floating_point()) x = f->get();
  else {
    wrong(spec, *node);
    return std::nullopt;
  }
  if (!std::isfinite(x) || x < spec.min || x > spec.max) {
    wrong(spec, *node);
    return std::nullopt;
  }
  return x;
}

std::optional<std::string> TableReader::string(const KeySpec& spec) {
  const toml::node* node = find(spec);
  if (node == nullptr) return std::nullopt;
  const auto* s = node->as_string();
  if (s == nullptr) {
    wrong(spec, *node);
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
  TableReader d(*t, child_path(spec.leaf()), "<dist>", file_, diag_);
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
    for (const KeySpec& spec : network_keys()) {
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

}  // namespace mhsim::scenario
