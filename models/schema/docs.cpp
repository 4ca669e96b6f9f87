// SPDX-License-Identifier: MIT
#include "models/schema/docs.hpp"

#include <algorithm>

#include "models/schema/diagnostics.hpp"

namespace mhsim::schema {

namespace {

const char* type_name(const Info& info) {
  switch (info.kind) {
    case Kind::kText:
    case Kind::kReference: return "string";
    case Kind::kInteger: return "integer";
    case Kind::kNumber: return "number";
    case Kind::kByYear: return "number, or array by year";
    case Kind::kChoice:
    case Kind::kVariant: return "string (choice)";
    case Kind::kTable:
    case Kind::kNamedTables: return "table";
    case Kind::kDistribution: return "distribution table";
    case Kind::kRoutes: return "table of probabilities";
    case Kind::kBoolean: return "boolean";
    case Kind::kNumbers: return "array of numbers";
    case Kind::kNames: return "array of names";
    case Kind::kMap: return info.or_number ? "number, or table of numbers by name" : "table";
    case Kind::kTableArray: return "array of tables";
    case Kind::kNumberOrNone: return "number or \"none\"";
    case Kind::kMatrix: return "array of arrays of numbers";
  }
  return "?";
}

std::string range_of(const Info& info) {
  const std::string range = "[" + number_text(info.min) + ", " + number_text(info.max) + "]";
  switch (info.kind) {
    case Kind::kInteger:
    case Kind::kNumber:
    case Kind::kByYear: return info.positive ? "(0, " + number_text(info.max) + "]" : range;
    case Kind::kNumberOrNone: return range + " or \"none\"";
    case Kind::kNumbers:
    case Kind::kMatrix: return range + " each";
    case Kind::kMap: return info.or_number ? range + " each" : "";
    case Kind::kChoice:
    case Kind::kVariant: {
      Info choice = info;
      choice.kind = Kind::kChoice;
      choice.expect = {};
      return expectation(choice).substr(7);
    }
    case Kind::kRoutes: return "[0, 1], sum 1";
    case Kind::kBoolean: return "true, false";
    default: return "";
  }
}

std::string capitalised(std::string s) {
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

}  // namespace

void merge_shared(DocRows& rows) {
  for (KeyDoc& row : rows.rows) {
    const auto it = rows.shared.find(row.path);
    if (it == rows.shared.end()) continue;
    std::vector<std::pair<std::string, std::vector<std::string>>> docs, defaults;
    const auto group = [](auto& groups, const std::string& text, const std::string& alt) {
      for (auto& [t, alts] : groups) {
        if (t == text) {
          alts.push_back(alt);
          return;
        }
      }
      groups.push_back({text, {alt}});
    };
    for (const auto& [alt, doc, otherwise] : it->second) {
      group(docs, doc, alt);
      group(defaults, otherwise, alt);
    }
    row.doc.clear();
    for (const auto& [doc, alts] : docs) {
      std::string who;
      for (std::size_t i = 0; i < alts.size(); ++i) who += (i ? ", " : "") + (i ? alts[i] : capitalised(alts[i]));
      // "Block: the payment ...": a sentence's first word in lower case after the types.
      std::string text = doc;
      if (text.size() > 1 && text[0] >= 'A' && text[0] <= 'Z' && text[1] >= 'a' && text[1] <= 'z') {
        text[0] = static_cast<char>(text[0] - 'A' + 'a');
      }
      row.doc += (row.doc.empty() ? "" : " ") + who + ": " + text;
    }
    row.required = defaults.size() == 1 && defaults.front().first == "required";
    row.default_text.clear();
    if (defaults.size() > 1 || defaults.front().first == "required") {
      for (const auto& [d, alts] : defaults) {
        std::string who;
        for (std::size_t i = 0; i < alts.size(); ++i) who += (i ? ", " : "") + alts[i];
        row.default_text += (row.default_text.empty() ? "" : "; ") + d + " (" + who + ")";
      }
    } else {
      row.default_text = defaults.front().first;
    }
  }
}

void Docs::add(const Info& info, std::string_view name) {
  const std::string path = child(name.empty() ? info.name : name);
  const std::string otherwise = info.required ? std::string("required") : std::string(info.otherwise);
  auto it = std::find_if(rows_.rows.begin(), rows_.rows.end(), [&](const KeyDoc& k) { return k.path == path; });
  if (!alternative_.empty()) rows_.shared[path].push_back({alternative_, std::string(info.doc), otherwise});
  if (it != rows_.rows.end()) return;  // declared before (by another alternative)
  KeyDoc k;
  k.path = path;
  k.type = type_name(info);
  k.unit = std::string(info.unit);
  k.range = range_of(info);
  k.required = info.required;
  k.default_text = info.required ? std::string() : std::string(info.otherwise);
  k.doc = std::string(info.doc);
  k.choices = choice_names(info);
  k.expected = expectation(info);
  k.vary = info.vary;
  rows_.rows.push_back(std::move(k));
}

}  // namespace mhsim::schema
