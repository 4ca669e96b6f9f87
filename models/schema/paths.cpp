// SPDX-License-Identifier: MIT
#include "models/schema/paths.hpp"

#include <cstdlib>

namespace mhsim::schema {

namespace {
bool bare_key_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}
}  // namespace

std::optional<std::vector<PathStep>> parse_path(std::string_view path) {
  std::vector<PathStep> out;
  std::size_t i = 0;
  while (true) {
    PathStep step;
    if (i < path.size() && path[i] == '"') {
      const std::size_t close = path.find('"', i + 1);
      if (close == std::string_view::npos || close == i + 1) return std::nullopt;
      step.key = std::string(path.substr(i + 1, close - i - 1));
      i = close + 1;
    } else {
      const std::size_t start = i;
      while (i < path.size() && bare_key_char(path[i])) ++i;
      if (i == start) return std::nullopt;
      step.key = std::string(path.substr(start, i - start));
    }
    while (i < path.size() && path[i] == '[') {
      const std::size_t start = ++i;
      while (i < path.size() && path[i] >= '0' && path[i] <= '9') ++i;
      if (i == start || i >= path.size() || path[i] != ']' || i - start > 9) return std::nullopt;
      step.indices.push_back(static_cast<std::size_t>(std::stoul(std::string(path.substr(start, i - start)))));
      ++i;
    }
    out.push_back(std::move(step));
    if (i == path.size()) return out;
    if (path[i] != '.') return std::nullopt;
    ++i;
  }
}

std::string path_text(const std::vector<PathStep>& steps, std::size_t count) {
  std::string out;
  for (std::size_t s = 0; s < count && s < steps.size(); ++s) {
    if (s) out += '.';
    out += steps[s].key;
    for (const std::size_t i : steps[s].indices) out += "[" + std::to_string(i) + "]";
  }
  return out;
}

SetValue SetValue::parse(const std::string& text) {
  SetValue v;
  v.text = text;
  char* end = nullptr;
  const double x = std::strtod(text.c_str(), &end);
  if (!text.empty() && end == text.c_str() + text.size()) v.number = x;
  if (text == "inf" || text == "+inf") v.number = std::numeric_limits<double>::infinity();
  return v;
}

bool split_setting(const std::string& setting, std::string& key, SetValue& value) {
  const auto eq = setting.find('=');
  if (eq == std::string::npos || eq == 0) return false;
  key = setting.substr(0, eq);
  value = SetValue::parse(setting.substr(eq + 1));
  return true;
}

void Setter::parameter(const Info& info, engine::Distribution& d, const std::string& key) {
  DistParams params = written_params(d);
  const std::vector<PathStep> steps{PathStep{key, {}}};
  Request sub{steps, r_.value, r_.source, {}};
  Setter s(sub, 0);
  describe(s, params, params.family);
  if (!sub.result.found) {
    return miss(std::string(info.name) + " (a " + std::string(kDistributionNames[params.family]) +
                " distribution) has no parameter \"" + key + "\"");
  }
  r_.result = sub.result;
  if (!r_.result.ok() || r_.value == nullptr) return;
  std::string why;
  const auto present = [&](std::string_view k) {
    if (k == "mean") return params.mean.has_value();
    if (k == "rate") return params.rate.has_value();
    if (k == "cv") return params.cv.has_value();
    if (k == "shape") return params.shape.has_value();
    if (k == "scale") return params.scale.has_value();
    return true;
  };
  const auto rebuilt = build(params, present, [&](std::string_view, std::string expected, std::string got) {
    if (why.empty()) why = expected + ", got " + got;
  });
  if (!rebuilt) return refuse(r_.result.info, why);
  d = *rebuilt;
}

}  // namespace mhsim::schema
