// SPDX-License-Identifier: MIT
#include "models/scenario/uncertainty.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <optional>
#include <stdexcept>
#include <string_view>

#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/gamma.hpp>
#include <boost/math/distributions/lognormal.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/triangular.hpp>
#include <boost/math/distributions/uniform.hpp>
#include <boost/random/normal_distribution.hpp>

#include "engine/random.hpp"
#include "models/scenario/pathway_document.hpp"
#include "models/scenario/pathway_scenario.hpp"

namespace mhsim::scenario {

namespace {

// Calls f(boost::math distribution) for a parameter.
template <class F>
auto with_distribution(const UncertainParameter& p, F&& f) {
  const std::vector<double>& a = p.parameters;
  switch (p.distribution) {
    case UncertainDistribution::kBeta: return f(boost::math::beta_distribution<double>(a.at(0), a.at(1)));
    case UncertainDistribution::kGamma: return f(boost::math::gamma_distribution<double>(a.at(0), a.at(1)));
    case UncertainDistribution::kLognormal: return f(boost::math::lognormal_distribution<double>(a.at(0), a.at(1)));
    case UncertainDistribution::kNormal: return f(boost::math::normal_distribution<double>(a.at(0), a.at(1)));
    case UncertainDistribution::kUniform: return f(boost::math::uniform_distribution<double>(a.at(0), a.at(1)));
    case UncertainDistribution::kTriangular:
      return f(boost::math::triangular_distribution<double>(a.at(0), a.at(1), a.at(2)));
  }
  throw std::logic_error("UncertainParameter: unknown distribution");
}

// The probability a draw is mapped through, away from 0 and 1 so that every quantile is finite.
constexpr double kMinP = 1e-12;

double rounded(const UncertainParameter& p, double v) { return p.integer ? std::round(v) : v; }

}  // namespace

double UncertainParameter::quantile(double p) const {
  return with_distribution(*this, [p](const auto& d) { return boost::math::quantile(d, p); });
}

double UncertainParameter::mean() const {
  return with_distribution(*this, [](const auto& d) { return boost::math::mean(d); });
}

double UncertainParameter::sd() const {
  return with_distribution(*this, [](const auto& d) { return boost::math::standard_deviation(d); });
}

std::vector<double> draw_parameters(const UncertaintySpec& u, std::uint64_t seed, std::uint64_t replication) {
  const std::size_t n = u.parameters.size();
  std::vector<double> out(n);
  if (n == 0) return out;
  engine::Rng rng = engine::RandomStreams(seed, replication).stream("psa");
  boost::random::normal_distribution<double> standard;
  std::vector<double> z(n);
  for (double& x : z) x = standard(rng);
  const bool correlated = u.cholesky.rows() == static_cast<Eigen::Index>(n) &&
                          u.cholesky.cols() == static_cast<Eigen::Index>(n);
  const boost::math::normal_distribution<double> phi;
  for (std::size_t i = 0; i < n; ++i) {
    // x = L z by an explicit loop in a fixed order (not Eigen's product, whose summation
    // order may depend on the build's vector instructions): the same bits everywhere.
    double x = z[i];
    if (correlated) {
      x = 0.0;
      for (std::size_t j = 0; j <= i; ++j) {
        x += u.cholesky(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) * z[j];
      }
    }
    const double p = std::clamp(boost::math::cdf(phi, x), kMinP, 1.0 - kMinP);
    out[i] = rounded(u.parameters[i], u.parameters[i].quantile(p));
  }
  return out;
}

PathwayScenario with_parameters(const PathwayScenario& sc, const std::vector<double>& values) {
  const std::vector<UncertainParameter>& ps = sc.uncertainty.parameters;
  if (values.size() != ps.size()) {
    throw std::invalid_argument("with_parameters: expected " + std::to_string(ps.size()) + " values (one per uncertain "
                                "parameter), got " + std::to_string(values.size()));
  }
  if (ps.empty()) return sc;
  if (!sc.document || sc.document->nodes.size() != ps.size()) {
    throw std::invalid_argument("with_parameters: the scenario holds no parsed file to read again (load it with "
                                "load_pathway_scenario or parse_pathway_scenario)");
  }
  NumberOverrides overrides;
  std::vector<double> used(ps.size());
  for (std::size_t i = 0; i < ps.size(); ++i) {
    used[i] = rounded(ps[i], values[i]);
    overrides.set(sc.document->nodes[i], used[i]);
  }
  PathwayScenario out;
  try {
    out = read_pathway_overridden(*sc.document, sc.file, overrides);
  } catch (const ScenarioError& e) {
    std::vector<Diagnostic> ds = e.diagnostics();
    std::string list;
    for (std::size_t i = 0; i < ps.size(); ++i) {
      list += (list.empty() ? "" : ", ") + ps[i].name + " (" + ps[i].key + ") = " + number_text(used[i]);
    }
    ds.push_back(Diagnostic{sc.file, 0, 0, "uncertainty", "uncertain parameters under which the scenario is valid",
                            list});
    throw ScenarioError(std::move(ds));
  }
  out.text = sc.text;
  out.run = sc.run;
  out.uncertainty = sc.uncertainty;
  out.document = sc.document;
  return out;
}

// ---- reading [uncertainty] and [[correlation]] ----------------------------------------------

namespace {

/// One component of a key path: a key and the array indices after it (`initial[0]`).
struct PathStep {
  std::string key;
  std::vector<std::size_t> indices;
};

bool bare_key_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/// Parses a.b[0].c and "quoted key".d; nothing when the syntax is wrong.
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

/// Why a key may not be uncertain, or "" when it may.
std::string refusal(const std::vector<PathStep>& path) {
  const std::string& first = path.front().key;
  if (first == "run" || first == "model" || first == "scenario") {
    return "a key the simulation reads (not under run, model or scenario: run settings are not uncertain)";
  }
  if (first == "uncertainty" || first == "correlation" || first == "variants") {
    return "a key of the scenario, not of its uncertainty or variants";
  }
  if (first == "analysis" || (first == "partners" && path.size() == 3 && path[2].key == "reserves")) {
    return "a key the simulation reads (analysis settings and partners' reserves are not simulated)";
  }
  if (first == "arms" && path.size() >= 3 && path[2].key == "contracts") {
    return "a key that is not a contract term (contract terms are policy choices, not uncertain: vary them with "
           "mhsim sweep)";
  }
  return "";
}

std::string dotted(const std::vector<PathStep>& path, std::size_t steps) {
  std::string out;
  for (std::size_t s = 0; s < steps && s < path.size(); ++s) {
    if (s) out += '.';
    out += path[s].key;
    for (const std::size_t i : path[s].indices) out += "[" + std::to_string(i) + "]";
  }
  return out;
}

/// The node a path names in `doc`, or why there is none.
const toml::node* resolve(const toml::table& doc, const std::vector<PathStep>& path, std::string& why) {
  const toml::node* node = &doc;
  for (std::size_t s = 0; s < path.size(); ++s) {
    const std::string where = s == 0 ? std::string("the file") : dotted(path, s);
    const auto* table = node->as_table();
    if (table == nullptr) {
      why = where + " is not a table";
      return nullptr;
    }
    node = table->get(path[s].key);
    if (node == nullptr) {
      why = "no key \"" + path[s].key + "\" in " + (s == 0 ? "the file" : where);
      return nullptr;
    }
    std::string at = s == 0 ? path[s].key : where + "." + path[s].key;
    for (const std::size_t i : path[s].indices) {
      const auto* array = node->as_array();
      if (array == nullptr) {
        why = at + " is not an array";
        return nullptr;
      }
      if (i >= array->size()) {
        why = at + " has " + std::to_string(array->size()) + " element" + (array->size() == 1 ? "" : "s");
        return nullptr;
      }
      node = array->get(i);
      at += "[" + std::to_string(i) + "]";
    }
  }
  return node;
}

std::string quoted_names(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "\"" : ", \"") + n + "\"";
  return out.empty() ? "none" : out;
}

const char* parameters_text(UncertainDistribution d) {
  switch (d) {
    case UncertainDistribution::kBeta: return "alpha and beta, or mean and sd";
    case UncertainDistribution::kGamma: return "shape and scale, or mean and sd";
    case UncertainDistribution::kLognormal: return "meanlog and sdlog, or mean and sd";
    case UncertainDistribution::kNormal: return "mean and sd";
    case UncertainDistribution::kUniform: return "low and high";
    case UncertainDistribution::kTriangular: return "low, mode and high";
  }
  return "";
}

/// Reads one [uncertainty.<name>] table's distribution parameters; nothing if any is bad
/// (reported).
std::optional<std::vector<double>> read_family(TableReader& u, UncertainDistribution family) {
  const std::string f(kUncertainDistributionNames[static_cast<std::size_t>(family)]);
  const std::size_t errors_before = u.diagnostics().size();
  const auto num = [&](const char* leaf) { return u.number(key(std::string("uncertainty.<name>.") + leaf)); };
  const auto need = [&](const char* leaf) {
    const auto v = num(leaf);
    if (!v && !u.raw().contains(leaf)) {
      u.error_here("a \"" + std::string(leaf) + "\" parameter for the " + f + " distribution (" +
                       parameters_text(family) + ")",
                   "none");
    }
    return v;
  };
  const auto positive = [&](std::optional<double> v, const char* leaf) {
    if (v && !(*v > 0.0)) {
      u.error(leaf, "a number > 0", number_text(*v));
      return std::optional<double>{};
    }
    return v;
  };
  // Gamma, lognormal and beta: their own parameters, or mean and sd (method of moments).
  const auto by_moments = [&](const char* first, const char* second) {
    // Evaluate every has(): each marks its key as read.
    const bool has_first = u.has(first), has_second = u.has(second);
    const bool has_mean = u.has("mean"), has_sd = u.has("sd");
    const bool own = has_first || has_second, moments = has_mean || has_sd;
    if (own == moments) {
      u.error_here("either \"" + std::string(first) + "\" and \"" + second + "\", or \"mean\" and \"sd\", for the " + f +
                       " distribution",
                   own ? "both kinds" : "neither");
      return std::optional<bool>{};
    }
    return std::optional<bool>{moments};
  };
  std::vector<double> out;
  switch (family) {
    case UncertainDistribution::kBeta: {
      const auto moments = by_moments("alpha", "beta");
      if (!moments) break;
      if (!*moments) {
        const auto a = positive(need("alpha"), "alpha"), b = positive(need("beta"), "beta");
        if (a && b) out = {*a, *b};
        break;
      }
      const auto m = need("mean"), sd = positive(need("sd"), "sd");
      if (m && !(*m > 0.0 && *m < 1.0)) {
        u.error("mean", "a number in (0, 1) for the mean of a beta distribution", number_text(*m));
        break;
      }
      if (!m || !sd) break;
      const double var = *sd * *sd, limit = *m * (1.0 - *m);
      if (!(var < limit)) {
        u.error("sd", "sd < sqrt(mean (1 - mean)) = " + number_text(std::sqrt(limit)) + " for a beta distribution",
                number_text(*sd));
        break;
      }
      const double c = limit / var - 1.0;
      out = {*m * c, (1.0 - *m) * c};
      break;
    }
    case UncertainDistribution::kGamma: {
      const auto moments = by_moments("shape", "scale");
      if (!moments) break;
      if (!*moments) {
        const auto k = positive(need("shape"), "shape"), s = positive(need("scale"), "scale");
        if (k && s) out = {*k, *s};
        break;
      }
      const auto m = positive(need("mean"), "mean"), sd = positive(need("sd"), "sd");
      if (m && sd) out = {*m * *m / (*sd * *sd), *sd * *sd / *m};
      break;
    }
    case UncertainDistribution::kLognormal: {
      const auto moments = by_moments("meanlog", "sdlog");
      if (!moments) break;
      if (!*moments) {
        const auto ml = need("meanlog"), sl = positive(need("sdlog"), "sdlog");
        if (ml && sl) out = {*ml, *sl};
        break;
      }
      const auto m = positive(need("mean"), "mean"), sd = positive(need("sd"), "sd");
      if (m && sd) {
        const double s2 = std::log1p((*sd / *m) * (*sd / *m));
        out = {std::log(*m) - s2 / 2.0, std::sqrt(s2)};
      }
      break;
    }
    case UncertainDistribution::kNormal: {
      const auto m = need("mean"), sd = positive(need("sd"), "sd");
      if (m && sd) out = {*m, *sd};
      break;
    }
    case UncertainDistribution::kUniform: {
      const auto lo = need("low"), hi = need("high");
      if (lo && hi) {
        if (*lo < *hi) out = {*lo, *hi};
        else u.error("high", "high > low (" + number_text(*lo) + ")", number_text(*hi));
      }
      break;
    }
    case UncertainDistribution::kTriangular: {
      const auto lo = need("low"), mode = need("mode"), hi = need("high");
      if (lo && mode && hi) {
        if (!(*lo < *hi)) {
          u.error("high", "high > low (" + number_text(*lo) + ")", number_text(*hi));
        } else if (*mode < *lo || *mode > *hi) {
          u.error("mode", "low <= mode <= high (" + number_text(*lo) + " to " + number_text(*hi) + ")",
                  number_text(*mode));
        } else {
          out = {*lo, *mode, *hi};
        }
      }
      break;
    }
  }
  if (u.diagnostics().size() != errors_before || out.empty()) return std::nullopt;
  return out;
}

/// A parameter read from the file, before correlation groups are known.
struct ReadParameter {
  UncertainParameter parameter;
  const toml::node* node = nullptr;
  const toml::table* table = nullptr;
};

std::pair<std::uint32_t, std::uint32_t> at(const toml::node& node, const toml::node* fallback) {
  return position(node, fallback);
}

}  // namespace

const toml::node* find_number_key(const toml::table& table, const std::string& key, std::string& expected,
                                  std::string& got) {
  const auto steps = parse_path(key);
  std::string why;
  const toml::node* node = nullptr;
  if (!steps) {
    expected = "a dotted key path such as \"arms.living_well.front_door_diversion\", \"initial[0].in_service\" or "
               "\"services.cmht.wemwbs_change.mean\"";
    got = "\"" + key + "\"";
  } else if (const std::string refused = refusal(*steps); !refused.empty()) {
    expected = refused;
    got = "\"" + key + "\"";
  } else if ((node = resolve(table, *steps, why)) == nullptr) {
    expected = "the dotted path of a number in the scenario";
    got = "\"" + key + "\", which it does not have (" + why + ")";
  } else if (!node->is_integer() && !node->is_floating_point()) {
    expected = "the dotted path of a number in the scenario";
    got = "\"" + key + "\", which holds " + describe(*node);
    node = nullptr;
  }
  return node;
}

UncertaintyTables read_uncertainty(TableReader& root, ParsedDocument& doc) {
  UncertaintyTables result;
  Diagnostics& diag = root.diagnostics();
  const std::string& file = root.file();
  std::vector<ReadParameter> read;
  std::map<const toml::node*, std::string> varied;  // node -> parameter name
  std::vector<std::string> all_names;               // every table, good or bad, for correlation messages
  bool all_good = true;

  for (const NamedTable& t : named_tables(root, key("uncertainty"), "uncertain parameter", limits::kMaxUncertain)) {
    all_names.push_back(t.name);
    TableReader u = root.sub(*t.table, "uncertainty." + t.name, "uncertainty.<name>");
    ReadParameter p;
    p.parameter.name = t.name;
    p.table = t.table;
    bool ok = true;
    const std::optional<std::string> path = u.string(key("uncertainty.<name>.key"));
    if (path) {
      p.parameter.key = *path;
      const auto steps = parse_path(*path);
      std::string why;
      if (!steps) {
        u.error("key",
                "a dotted key path such as \"arms.living_well.front_door_diversion\", \"initial[0].in_service\" or "
                "\"services.cmht.wemwbs_change.mean\"",
                "\"" + *path + "\"");
        ok = false;
      } else if (const std::string refused = refusal(*steps); !refused.empty()) {
        u.error("key", refused, "\"" + *path + "\"");
        ok = false;
      } else if (const toml::node* node = resolve(doc.table, *steps, why); node == nullptr) {
        u.error("key", "the dotted path of a number in this file", "\"" + *path + "\", which it does not have (" + why + ")");
        ok = false;
      } else if (!node->is_integer() && !node->is_floating_point()) {
        u.error("key", "the dotted path of a number in this file",
                "\"" + *path + "\", which holds " + describe(*node));
        ok = false;
      } else if (const auto it = varied.find(node); it != varied.end()) {
        u.error("key", "a key no other uncertain parameter varies", "\"" + *path + "\", already varied by \"" + it->second + "\"");
        ok = false;
      } else {
        varied.emplace(node, t.name);
        p.node = node;
        p.parameter.base = node->is_integer() ? static_cast<double>(node->as_integer()->get())
                                              : node->as_floating_point()->get();
      }
    } else {
      ok = false;
    }
    const std::optional<std::string> family = u.choice(key("uncertainty.<name>.distribution"));
    if (const auto source = u.string(key("uncertainty.<name>.source"))) {
      p.parameter.source = *source;
      if (source->find_first_not_of(" \t") == std::string::npos) {
        u.error("source", "where the distribution comes from (a source tag, or \"assumption: ...\")", "an empty string");
        ok = false;
      }
    } else {
      ok = false;
    }
    if (family) {
      const auto f = static_cast<UncertainDistribution>(
          std::find(kUncertainDistributionNames.begin(), kUncertainDistributionNames.end(), *family) -
          kUncertainDistributionNames.begin());
      p.parameter.distribution = f;
      if (auto params = read_family(u, f)) p.parameter.parameters = std::move(*params);
      else ok = false;
      u.finish("one of key, distribution, source, or a parameter of the " + *family + " distribution (" +
               parameters_text(f) + ")");
    } else {
      ok = false;
      u.finish();
    }
    if (ok) read.push_back(std::move(p));
    else all_good = false;
  }

  // Correlation groups.
  std::map<std::string, std::size_t> index_of;
  for (std::size_t i = 0; i < read.size(); ++i) index_of.emplace(read[i].parameter.name, i);
  const std::size_t n = read.size();
  Eigen::MatrixXd correlation = Eigen::MatrixXd::Identity(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(n));
  std::map<std::string, std::string> group_of;  // parameter name -> "correlation[g]"
  if (root.has("correlation")) {
    const toml::node& node = *root.raw().get("correlation");
    const auto* list = node.as_array();
    if (list == nullptr) {
      root.error("correlation", key("correlation").expectation(), describe(node));
    }
    for (std::size_t g = 0; list != nullptr && g < list->size(); ++g) {
      const toml::node& item = *list->get(g);
      const std::string path = "correlation[" + std::to_string(g) + "]";
      const auto* t = item.as_table();
      if (t == nullptr) {
        const auto [line, col] = at(item, &node);
        diag.add(Diagnostic{file, line, col, path, "a table ([[correlation]])", describe(item)});
        continue;
      }
      TableReader c = root.sub(*t, path, "correlation");
      bool group_ok = true;
      // parameters
      std::vector<std::size_t> members;  // indices into `read`
      std::size_t k = 0;                 // names given
      if (!c.has("parameters")) {
        c.error_here(key("correlation.parameters").expectation() + " (required)", "nothing (the key is missing)");
        group_ok = false;
      } else {
        const toml::node& pnode = *c.raw().get("parameters");
        const auto* names = pnode.as_array();
        if (names == nullptr) {
          c.error("parameters", key("correlation.parameters").expectation(), describe(pnode));
          group_ok = false;
        } else {
          k = names->size();
          std::vector<std::string> seen;
          for (std::size_t i = 0; i < names->size(); ++i) {
            const toml::node& nm = *names->get(i);
            const auto [line, col] = at(nm, &pnode);
            const std::string where = c.child_path("parameters") + "[" + std::to_string(i) + "]";
            const auto* s = nm.as_string();
            if (s == nullptr || std::find(all_names.begin(), all_names.end(), s->get()) == all_names.end()) {
              diag.add(Diagnostic{file, line, col, where,
                                  "the name of an uncertain parameter (one of " + quoted_names(all_names) + ")",
                                  s ? "an unknown parameter \"" + s->get() + "\"" : describe(nm)});
              group_ok = false;
              continue;
            }
            const std::string& name = s->get();
            if (std::find(seen.begin(), seen.end(), name) != seen.end()) {
              diag.add(Diagnostic{file, line, col, where, "each parameter once in a group",
                                  "\"" + name + "\" a second time"});
              group_ok = false;
              continue;
            }
            seen.push_back(name);
            if (const auto it = group_of.find(name); it != group_of.end()) {
              diag.add(Diagnostic{file, line, col, where, "a parameter in no other correlation group",
                                  "\"" + name + "\", already in " + it->second});
              group_ok = false;
              continue;
            }
            group_of.emplace(name, path);
            const auto idx = index_of.find(name);
            if (idx == index_of.end()) group_ok = false;  // its own table has an error (reported)
            else members.push_back(idx->second);
          }
          if (names->size() < 2) {
            c.error("parameters", "at least two parameters", std::to_string(names->size()));
            group_ok = false;
          }
        }
      }
      // matrix
      Eigen::MatrixXd m;
      if (!c.has("matrix")) {
        c.error_here(key("correlation.matrix").expectation() + " (required)", "nothing (the key is missing)");
        group_ok = false;
      } else if (k >= 2) {
        const toml::node& mnode = *c.raw().get("matrix");
        const auto* rows = mnode.as_array();
        const std::string mpath = c.child_path("matrix");
        const std::string size = std::to_string(k) + " x " + std::to_string(k);
        if (rows == nullptr) {
          c.error("matrix", "a " + size + " correlation matrix (an array of " + std::to_string(k) + " rows)", describe(mnode));
          group_ok = false;
        } else if (rows->size() != k) {
          c.error("matrix", "a " + size + " correlation matrix (one row per parameter)",
                  std::to_string(rows->size()) + " row" + (rows->size() == 1 ? "" : "s"));
          group_ok = false;
        } else {
          m.resize(static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(k));
          bool entries_ok = true;
          std::vector<const toml::array*> row_of(k, nullptr);
          for (std::size_t i = 0; i < k; ++i) {
            const toml::node& rnode = *rows->get(i);
            const auto* row = rnode.as_array();
            row_of[i] = row;
            const std::string rpath = mpath + "[" + std::to_string(i) + "]";
            if (row == nullptr || row->size() != k) {
              const auto [line, col] = at(rnode, &mnode);
              diag.add(Diagnostic{file, line, col, rpath, "a row of " + std::to_string(k) + " numbers",
                                  row ? std::to_string(row->size()) + " number" + (row->size() == 1 ? "" : "s")
                                      : describe(rnode)});
              entries_ok = false;
              continue;
            }
            for (std::size_t j = 0; j < k; ++j) {
              const toml::node& e = *row->get(j);
              const auto x = c.value_of(e);
              const auto [line, col] = at(e, &rnode);
              const std::string epath = rpath + "[" + std::to_string(j) + "]";
              if (!x || !(*x >= -1.0 && *x <= 1.0)) {
                diag.add(Diagnostic{file, line, col, epath, "a number in [-1, 1]", describe(e)});
                entries_ok = false;
              } else if (i == j && *x != 1.0) {
                diag.add(Diagnostic{file, line, col, epath, "1 (the diagonal of a correlation matrix)", describe(e)});
                entries_ok = false;
              } else {
                m(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = *x;
              }
            }
          }
          if (entries_ok) {
            for (std::size_t i = 0; i < k; ++i) {
              for (std::size_t j = 0; j < i; ++j) {
                const double lower = m(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j));
                const double upper = m(static_cast<Eigen::Index>(j), static_cast<Eigen::Index>(i));
                if (std::fabs(lower - upper) <= 1e-12) continue;
                const toml::node* e = row_of[i] != nullptr ? row_of[i]->get(j) : nullptr;
                const auto [line, col] = e != nullptr ? at(*e, row_of[i]) : at(mnode, nullptr);
                diag.add(Diagnostic{file, line, col, mpath + "[" + std::to_string(i) + "][" + std::to_string(j) + "]",
                                    "a symmetric matrix: the value at [" + std::to_string(j) + "][" + std::to_string(i) +
                                        "], " + number_text(upper),
                                    number_text(lower)});
                entries_ok = false;
              }
            }
          }
          if (entries_ok && Eigen::LLT<Eigen::MatrixXd>(m).info() != Eigen::Success) {
            c.error("matrix", "a positive definite correlation matrix",
                    "a matrix that is not positive definite (its Cholesky factorisation fails)");
            entries_ok = false;
          }
          group_ok = group_ok && entries_ok;
        }
      } else {
        group_ok = false;  // without two names the matrix cannot be checked
      }
      c.finish();
      if (!group_ok || members.size() != k) {
        all_good = false;
        continue;
      }
      for (std::size_t i = 0; i < k; ++i) {
        for (std::size_t j = 0; j < k; ++j) {
          correlation(static_cast<Eigen::Index>(members[i]), static_cast<Eigen::Index>(members[j])) =
              m(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j));
        }
      }
    }
  }
  if (!all_good) return result;  // the reader throws: reported problems leave no spec

  doc.nodes.clear();
  for (ReadParameter& p : read) {
    doc.nodes.push_back(p.node);
    result.tables.push_back(p.table);
    result.spec.parameters.push_back(std::move(p.parameter));
  }
  if (n > 0) {
    // Groups are disjoint blocks, each positive definite, so the whole matrix is too.
    const Eigen::LLT<Eigen::MatrixXd> llt(correlation);
    result.spec.cholesky = llt.matrixL();
    result.spec.correlation = std::move(correlation);
  }
  return result;
}

void check_uncertainty_quantiles(const ParsedDocument& doc, const std::string& file, UncertaintyTables& u,
                                 Diagnostics& diag) {
  std::vector<UncertainParameter>& ps = u.spec.parameters;
  for (std::size_t i = 0; i < ps.size(); ++i) {
    UncertainParameter& p = ps[i];
    const toml::table& table = *u.tables[i];
    const toml::node* dist = table.get("distribution");
    const auto [line, col] = position(dist != nullptr ? *dist : static_cast<const toml::node&>(table), &table);
    const std::string path = "uncertainty." + p.name;
    {
      // At the base value: which reader takes the key, an integer key's or a number's.
      NumberOverrides overrides;
      overrides.set(doc.nodes[i], p.base);
      (void)read_pathway_overridden(doc, file, overrides);  // the file read cleanly, so this does too
      if (!overrides.used(0)) {
        diag.add(Diagnostic{file, line, col, path, "a key whose number the loader reads",
                            "\"" + p.key + "\", which no reader takes"});
        continue;
      }
      p.integer = overrides.used_as_integer(0);
    }
    for (const double q : {0.001, 0.999}) {
      double value = 0;
      try {
        value = rounded(p, p.quantile(q));
      } catch (const std::exception& e) {  // boost::math's domain, overflow or evaluation errors
        diag.add(Diagnostic{file, line, col, path, "a distribution whose quantiles can be computed",
                            "an error at its " + number_text(q) + " quantile: " + e.what()});
        break;
      }
      NumberOverrides overrides;
      overrides.set(doc.nodes[i], value);
      const std::string at_q = "at its " + number_text(q) + " quantile " + p.key + " = " + number_text(value);
      try {
        (void)read_pathway_overridden(doc, file, overrides);
      } catch (const ScenarioError& e) {
        const std::vector<Diagnostic>& ds = e.diagnostics();
        std::string what;
        if (!ds.empty()) {
          const Diagnostic& d = ds.front();
          what = (d.key.empty() ? "" : d.key + ": ") + "expected " + d.expected + ", got " + d.got;
          if (ds.size() > 1) what += " (and " + std::to_string(ds.size() - 1) + " more)";
        }
        diag.add(Diagnostic{file, line, col, path,
                            "a distribution under which the scenario stays valid at its 0.001 and 0.999 quantiles "
                            "(the other parameters at their base values)",
                            at_q + ", which the loader refuses: " + what});
      }
    }
  }
}

}  // namespace mhsim::scenario
