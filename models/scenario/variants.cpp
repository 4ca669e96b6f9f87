// SPDX-License-Identifier: MIT
#include "models/scenario/variants.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "models/scenario/calibration_targets.hpp"
#include "models/scenario/keys.hpp"
#include "models/scenario/pathway_document.hpp"
#include "models/scenario/toml_reader.hpp"

namespace mhsim::scenario {

namespace {

struct Entry {
  std::string key;
  const toml::node* value;
  std::pair<std::uint32_t, std::uint32_t> where;
};

/// The numbers a variant table sets: quoted dotted keys ("arms.a.x[1]" = 0.3) or bare
/// dotted keys (arms.a.x = 0.3, which TOML nests as tables), with their paths joined.
void collect(const toml::table& table, const std::string& prefix, std::vector<Entry>& out) {
  for (const auto& [k, v] : table) {
    const std::string key = prefix + std::string(k.str());
    if (prefix.empty() && k.str() == "description") continue;
    if (const toml::table* sub = v.as_table()) {
      collect(*sub, key + ".", out);
    } else {
      out.push_back(Entry{key, &v, key_position(k, v, &table)});
    }
  }
}

}  // namespace

VariantTables read_variants(TableReader& root, ParsedDocument& doc) {
  VariantTables result;
  Diagnostics& diag = root.diagnostics();
  const std::string& file = root.file();
  for (const NamedTable& t : named_tables(root, key("variants"), "variant", limits::kMaxArms)) {
    TableReader r = root.sub(*t.table, "variants." + t.name, "variants.<name>");
    ScenarioVariant v;
    v.name = t.name;
    if (const toml::node* d = t.table->get("description")) {
      if (d->is_string()) {
        v.description = d->as_string()->get();
      } else {
        r.error("description", "a string: what this variant is", describe(*d));
      }
    }
    std::vector<Entry> entries;
    collect(*t.table, "", entries);
    std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.where < b.where; });
    std::vector<const toml::node*> nodes;
    bool ok = true;
    for (const Entry& e : entries) {
      const std::string path = "variants." + t.name + "." + e.key;
      std::string expected, got;
      const toml::node* node = find_number_key(doc.table, e.key, expected, got);
      if (node == nullptr) {
        diag.add(Diagnostic{file, e.where.first, e.where.second, path, expected, got});
        ok = false;
      } else if (std::find(nodes.begin(), nodes.end(), node) != nodes.end()) {
        diag.add(Diagnostic{file, e.where.first, e.where.second, path, "a key the variant sets once",
                            "\"" + e.key + "\" again"});
        ok = false;
      } else if (!e.value->is_integer() && !e.value->is_floating_point()) {
        diag.add(Diagnostic{file, e.where.first, e.where.second, path,
                            "a number: the value of " + e.key + " in this variant", describe(*e.value)});
        ok = false;
      } else {
        nodes.push_back(node);
        v.keys.push_back(e.key);
        v.values.push_back(e.value->is_integer() ? static_cast<double>(e.value->as_integer()->get())
                                                 : e.value->as_floating_point()->get());
        v.lines.push_back(e.where.first);
      }
    }
    (void)r.has("description");
    if (ok) {
      result.variants.push_back(std::move(v));
      result.nodes.push_back(std::move(nodes));
      result.tables.push_back(t.table);
    }
  }
  return result;
}

void check_variants(const ParsedDocument& doc, const std::string& file, const VariantTables& v, Diagnostics& diag) {
  for (std::size_t i = 0; i < v.variants.size(); ++i) {
    const ScenarioVariant& variant = v.variants[i];
    NumberOverrides overrides;
    for (std::size_t k = 0; k < variant.keys.size(); ++k) overrides.set(v.nodes[i][k], variant.values[k]);
    const auto [line, col] = position(*v.tables[i]);
    const std::string path = "variants." + variant.name;
    try {
      (void)read_pathway_overridden(doc, file, overrides);
    } catch (const ScenarioError& e) {
      for (const Diagnostic& d : e.diagnostics()) {
        diag.add(Diagnostic{file, line, col, path, "numbers under which the scenario is valid",
                            "with this variant, " + (d.key.empty() ? std::string() : d.key + ": ") + "expected " +
                                d.expected + ", got " + d.got});
      }
      continue;
    }
    for (std::size_t k = 0; k < variant.keys.size(); ++k) {
      if (!overrides.used(k)) {
        diag.add(Diagnostic{file, variant.lines[k], 0, path + "." + variant.keys[k], "a key whose number the loader reads",
                            "\"" + variant.keys[k] + "\", which no reader takes"});
      }
    }
  }
}

std::string variant_names(const PathwayScenario& sc) {
  std::string out;
  for (const ScenarioVariant& v : sc.variants) out += (out.empty() ? "\"" : ", \"") + v.name + "\"";
  return out;
}

PathwayScenario apply_variant(const PathwayScenario& sc, const std::string& name) {
  const auto it = std::find_if(sc.variants.begin(), sc.variants.end(),
                               [&](const ScenarioVariant& v) { return v.name == name; });
  if (it == sc.variants.end()) {
    throw std::invalid_argument(sc.variants.empty()
                                    ? sc.file + " declares no variants (no [variants.<name>] tables), so none named \"" +
                                          name + "\""
                                    : sc.file + " has no variant \"" + name + "\"; its variants are " + variant_names(sc));
  }
  const std::vector<std::string> comments(it->keys.size(), "variant " + name);
  const std::string text = calibrated_text(sc, it->keys, it->values, comments);
  PathwayScenario out = parse_pathway_scenario(text, sc.file);
  out.variant = name;
  out.name += " (variant " + name + ")";
  return out;
}

}  // namespace mhsim::scenario
