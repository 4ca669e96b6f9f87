// SPDX-License-Identifier: MIT
#include "models/scenario/toml_reader.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace mhsim::scenario {

std::string node_text(const toml::node& node) {
  if (const auto* s = node.as_string()) return "the string \"" + s->get() + "\"";
  if (const auto* i = node.as_integer()) return std::to_string(i->get());
  if (const auto* f = node.as_floating_point()) return number_text(f->get());
  if (const auto* b = node.as_boolean()) return b->get() ? "true" : "false";
  if (node.is_table()) return "a table";
  if (node.is_array()) return "an array";
  return "a date or time";
}

Position first_position(const toml::node& node) {
  const auto& b = node.source().begin;
  if (b.line > 0) return {b.line, b.column};
  Position best{0, 0};
  auto consider = [&best](const toml::node& child) {
    const Position p = first_position(child);
    if (p.first > 0 && (best.first == 0 || p < best)) best = p;
  };
  if (const auto* t = node.as_table()) {
    for (const auto& [k, v] : *t) consider(v);
  } else if (const auto* a = node.as_array()) {
    for (const toml::node& v : *a) consider(v);
  }
  return best;
}

Position position(const toml::node& node, const toml::node* fallback) {
  const auto& b = node.source().begin;
  if (b.line > 0) return {b.line, b.column};
  if (fallback != nullptr && fallback->source().begin.line > 0) {
    return {fallback->source().begin.line, fallback->source().begin.column};
  }
  return {1, 1};
}

Position key_position(const toml::key& k, const toml::node& value, const toml::node* fallback) {
  const auto& b = k.source().begin;
  if (b.line > 0) return {b.line, b.column};
  return position(value, fallback);
}

std::optional<double> number_of(const toml::node& node) {
  if (const auto* i = node.as_integer()) return static_cast<double>(i->get());
  if (const auto* f = node.as_floating_point()) return f->get();
  return std::nullopt;
}

Entries entries_in_order(const toml::table& table) {
  Entries out;
  std::vector<std::pair<Position, std::size_t>> order;
  for (const auto& [k, node] : table) {
    if (const auto* sub = node.as_table()) {
      Position at = first_position(*sub);
      if (at.first == 0) at = key_position(k, node, &table);
      order.emplace_back(at, out.tables.size());
      out.tables.emplace_back(std::string(k.str()), sub);
    } else {
      out.others.emplace_back(&k, &node);
    }
  }
  // toml++ sorts keys; the file's order is the index order.
  std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::pair<std::string, const toml::table*>> sorted;
  for (const auto& [at, i] : order) sorted.push_back(std::move(out.tables[i]));
  out.tables = std::move(sorted);
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
  // A directory opens as a stream on some systems and reads as empty: say what it is.
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw ScenarioError({Diagnostic{path, 0, 0, "", "a readable scenario file", "a directory"}});
  }
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

// ---- Reader -------------------------------------------------------------------------------

void Reader::record(const std::string& path, const toml::node& node, const toml::node* parent) {
  Source& s = ctx_.source;
  s.at[path] = position(node, parent);
  s.written[path] = node_text(node);
  if (node.is_table()) s.here[path] = position(node);
}

const toml::node* Reader::take(const schema::Info& info) {
  const std::string_view leaf = info.name;
  declared_.push_back(leaf);
  const toml::node* node = table_.get(leaf);
  if (node != nullptr) {
    read_.emplace(leaf);
    record(child(leaf), *node, &table_);
  } else if (info.required && !ctx_.source.present(child(leaf))) {
    missing(info, leaf);
  }
  return node;
}

void Reader::missing(const schema::Info& info, std::string_view leaf) {
  std::string expected;
  if (info.kind == schema::Kind::kReference) {
    expected = expectation(info) + " (required" + required_in_ + "; one of " +
               quoted(ctx_.source.names_of(info.collection), info.discharge ? "discharge" : "") + ")";
  } else {
    expected = expectation(info) + " (required" + required_in_ + ")";
  }
  const auto [line, col] = position(table_);
  ctx_.diag.add(Diagnostic{ctx_.source.file, line, col, child(leaf), std::move(expected), "nothing (the key is missing)"});
  mark_bad(child(leaf));
}

void Reader::wrong(const schema::Info& info, const toml::node& node, std::string_view leaf) {
  error_at(node, child(leaf), expectation(info), node_text(node));
}

void Reader::error(std::string_view leaf, std::string expected, std::string got) {
  const toml::node* node = table_.get(leaf);
  const auto [line, col] = node ? position(*node, &table_) : position(table_);
  ctx_.diag.add(Diagnostic{ctx_.source.file, line, col, child(leaf), std::move(expected), std::move(got)});
  mark_bad(child(leaf));
}

void Reader::error_here(std::string expected, std::string got) {
  const auto [line, col] = position(table_);
  ctx_.diag.add(Diagnostic{ctx_.source.file, line, col, path_, std::move(expected), std::move(got)});
  mark_bad(path_);
}

void Reader::error_at(const toml::node& node, const std::string& path, std::string expected, std::string got) {
  const auto [line, col] = position(node, &table_);
  ctx_.diag.add(Diagnostic{ctx_.source.file, line, col, path, std::move(expected), std::move(got)});
  mark_bad(path);
}

bool Reader::in_range(const schema::Info& info, double x, const toml::node& node, std::string_view leaf) {
  if (!std::isfinite(x) || x < info.min || x > info.max) {
    wrong(info, node, leaf);
    return false;
  }
  if (info.positive && !(x > 0.0)) {
    error(leaf, "a number > 0", number_text(x));
    return false;
  }
  return true;
}

std::optional<std::size_t> Reader::reference(const schema::Info& info, const toml::node& node, std::string_view leaf) {
  const std::vector<std::string>& names = ctx_.source.names_of(info.collection);
  const auto* s = node.as_string();
  if (s == nullptr) {
    wrong(info, node, leaf);
    return std::nullopt;
  }
  const std::string& name = s->get();
  if (info.discharge && name == "discharge") return schema::kNone;
  const auto it = std::find(names.begin(), names.end(), name);
  if (it != names.end()) return static_cast<std::size_t>(it - names.begin());
  error(leaf, expectation(info) + " (one of " + quoted(names, info.discharge ? "discharge" : "") + ")",
        name == "discharge" ? "\"discharge\", which is not allowed here"
                            : "an unknown " + std::string(info.noun) + " \"" + name + "\"");
  return std::nullopt;
}

std::optional<std::vector<double>> Reader::number_array(const schema::Info& info, const toml::node& node,
                                                        std::string_view leaf, const std::string& element) {
  const auto* array = node.as_array();
  if (array == nullptr) {
    wrong(info, node, leaf);
    return std::nullopt;
  }
  std::vector<double> out;
  bool ok = true;
  for (std::size_t i = 0; i < array->size(); ++i) {
    const toml::node& v = *array->get(i);
    const std::string at = child(leaf) + "[" + std::to_string(i) + "]";
    record(at, v, &node);
    const std::optional<double> x = number_of(v);
    if (!x || !std::isfinite(*x) || *x < info.min || *x > info.max || (info.positive && !(*x > 0.0))) {
      error_at(v, at, element, node_text(v));
      ok = false;
      continue;
    }
    out.push_back(*x);
  }
  if (!ok) return std::nullopt;
  return out;
}

bool Reader::by_year(const schema::Info& info, const toml::node& node, std::vector<double>& out) {
  const std::string one = range_phrase(info);
  const std::string_view leaf = info.name;
  if (!node.is_array()) {
    const std::optional<double> x = number_of(node);
    if (!x) {
      error(leaf, one + ", or an array of such numbers (one per simulated year)", node_text(node));
      return false;
    }
    if (!in_range(info, *x, node, leaf)) return false;
    out = {*x};
    return true;
  }
  if (node.as_array()->empty()) {
    // How many the run allows is checked with the run's years (check.hpp).
    const bool known = ctx_.years != nullptr && ctx_.source.present("run.years") && ctx_.source.ok("run.years");
    error(leaf,
          one + ", or an array of " + (known ? "1 to " + std::to_string(*ctx_.years) : std::string("at least 1")) +
              " such numbers (one per simulated year" +
              (known ? ", run.years = " + std::to_string(*ctx_.years) : std::string()) + ")",
          "an empty array");
    return false;
  }
  const auto xs = number_array(info, node, leaf, one);
  if (!xs) return false;
  out = *xs;
  return true;
}

bool Reader::route_list(const schema::Info& info, const toml::node& node,
                        std::vector<std::pair<std::size_t, double>>& out) {
  const auto* routes = node.as_table();
  if (routes == nullptr) {
    wrong(info, node, info.name);
    return false;
  }
  const std::string path = child(info.name);
  const std::vector<std::string>& names = ctx_.source.names_of(info.collection);
  const auto allowed = [&](std::size_t i) {
    return info.allowed == nullptr || i >= info.allowed->size() || (*info.allowed)[i];  // none given: every one
  };
  bool ok = true;
  // Keep the file's order so the routing draw maps to targets as written.
  std::vector<std::pair<Position, std::pair<std::size_t, double>>> ordered;
  for (const auto& [k, v] : *routes) {
    const std::string target(k.str());
    const std::string at = path + "." + target;
    record(at, v, routes);
    std::size_t t = schema::kNone;
    if (target != info.exit) {
      const auto it = std::find(names.begin(), names.end(), target);
      const auto i = static_cast<std::size_t>(it - names.begin());
      if (it == names.end() || !allowed(i)) {
        std::vector<std::string> ok_names;
        for (std::size_t j = 0; j < names.size(); ++j) {
          if (allowed(j)) ok_names.push_back(names[j]);
        }
        const std::string which = info.restriction.empty() ? "" : " " + std::string(info.restriction);
        const Position kp = key_position(k, v, routes);
        ctx_.diag.add(Diagnostic{ctx_.source.file, kp.first, kp.second, at,
                                 "a route to " + article(info.noun) + " " + std::string(info.noun) + which + " or to " +
                                     std::string(info.exit) + " (one of " + quoted(ok_names, info.exit) + ")",
                                 it == names.end()
                                     ? "an unknown " + std::string(info.noun) + " \"" + target + "\""
                                     : "the " + std::string(info.noun) + " \"" + target + "\", which is not" + which});
        mark_bad(at);
        ok = false;
        continue;
      }
      t = i;
    }
    const std::optional<double> p = number_of(v);
    if (!p || !(*p >= 0.0 && *p <= 1.0)) {
      error_at(v, at, "a probability in [0, 1]", node_text(v));
      ok = false;
      continue;
    }
    ordered.push_back({position(v, routes), {t, *p}});
  }
  if (!ok) return false;
  std::stable_sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [at, r] : ordered) out.push_back(r);
  return true;
}

std::optional<engine::Distribution> Reader::distribution(const schema::Info& info, const toml::node& node) {
  const auto* t = node.as_table();
  if (t == nullptr) {
    wrong(info, node, info.name);
    return std::nullopt;
  }
  const std::size_t errors_before = ctx_.diag.size();
  Reader d(ctx_, *t, child(info.name));
  DistParams params;
  params.family = kDistributionNames.size();
  d(schema::choice("distribution", params.family, kDistributionNames).required());
  if (params.family >= kDistributionNames.size()) return std::nullopt;  // its parameters depend on the family
  describe(d, params, params.family);
  const auto report = [&](std::string_view key, std::string expected, std::string got) {
    if (key.empty()) d.error_here(std::move(expected), std::move(got));
    else d.error(key, std::move(expected), std::move(got));
  };
  std::optional<engine::Distribution> out =
      build(params, [&](std::string_view key) { return t->get(key) != nullptr; }, report);
  d.finish("a parameter of the " + std::string(kDistributionNames[params.family]) + " distribution (" +
           std::string(parameters_of(params.family)) + ")");
  if (ctx_.diag.size() != errors_before) {
    mark_bad(child(info.name));
    return std::nullopt;
  }
  return out;
}

void Reader::finish(std::string expected) {
  if (finished_ || abandoned_) return;
  finished_ = true;
  if (expected.empty()) {
    for (const std::string_view k : declared_) expected += (expected.empty() ? "one of " : ", ") + std::string(k);
    if (expected.empty()) expected = "no keys here";
    expected += finish_note_;
  }
  for (const auto& [k, node] : table_) {
    if (read_.count(k.str()) != 0) continue;
    const auto [line, col] = key_position(k, node, &table_);
    ctx_.diag.add(Diagnostic{ctx_.source.file, line, col, child(k.str()), expected,
                             "an unknown key \"" + std::string(k.str()) + "\""});
    mark_bad(child(k.str()));
  }
}

}  // namespace mhsim::scenario
