// SPDX-License-Identifier: MIT
#pragma once
// The keys of `[uncertainty.<name>]` and `[[correlation]]`, declared once beside the structs
// of models/psa/uncertainty.hpp (models/schema/schema.hpp says how), with the rules that tie
// them together.

#include <algorithm>
#include <array>
#include <cmath>
#include <initializer_list>
#include <string>

#include "models/schema/limits.hpp"
#include "models/schema/schema.hpp"
#include "models/psa/uncertainty.hpp"

namespace mhsim::models::psa {

/// What each family takes, for messages: "alpha and beta, or mean and sd" ...
std::string_view uncertain_parameters_text(std::size_t family);
/// The rules of one parameter's distribution (which parameters its family takes, their
/// relations); `c` is a checker at the parameter's table.
template <class C>
void check_uncertain(C& c, const UncertainParameter& p);
/// The rules of a correlation group (names, shape, diagonal, symmetry, positive definite).
template <class C>
void check_correlation(C& c, const CorrelationGroup& g);

/// After reading: each parameter's keys and distribution parameters from what is written,
/// and the copula's correlation matrix and its Cholesky factor.
void finish_uncertainty(UncertaintySpec& u);

template <class V>
void describe(V& v, UncertainParameter& p) {
  using namespace schema;
  v(text("key", p.key).vary(Vary::kMeta).otherwise("required (or keys)")
        .doc("Dotted path of the number it replaces, as written in this file: `arms.living_well.front_door_diversion`; "
             "array elements as `initial[0].in_service`; inside inline tables as `services.cmht.wemwbs_change.mean`. "
             "The number there is the base value, and the scenario must stay valid at the distribution's 0.001 and "
             "0.999 quantiles. An integer key (a capacity, a count) takes drawn values rounded to the nearest integer. "
             "Not allowed: keys under run, model, uncertainty, correlation and analysis, partners' reserves, and "
             "contract terms (`arms.<arm>.contracts`: policy choices, varied with `mhsim sweep`); two parameters on "
             "one key."));
  v(names("keys", p.keys, "", "key").vary(Vary::kMeta).otherwise("none (or key)")
        .doc("Several dotted paths that take the same drawn value (one uncertain quantity in several places, such as "
             "the same behaviour in two arms), instead of `key`; the first holds the base value."));
  v(choice("distribution", p.family, kUncertainDistributionNames).required().vary(Vary::kMeta)
        .doc("The family; its parameters are the other keys of the table."));
  UncertainParameter::Written& w = p.written;
  // Every family's keys for the key reference; else those of the family read (none when it
  // could not be read: the other keys are then reported as unknown).
  const bool all = lists_every_key<V>::value;
  const std::size_t f = p.family;
  const auto takes = [&](std::size_t family) { return all || f == family; };
  // Beta, gamma, lognormal, normal, uniform, triangular.
  const double big = limits::kMaxParameter;
  if (takes(0)) v(number("alpha", w.alpha).range(0, big).positive().vary(Vary::kMeta).doc("Beta: first shape (> 0), with `beta`."));
  if (takes(0)) v(number("beta", w.beta).range(0, big).positive().vary(Vary::kMeta).doc("Beta: second shape (> 0), with `alpha`."));
  if (takes(1)) v(number("shape", w.shape).range(0, big).positive().vary(Vary::kMeta).doc("Gamma: shape k (> 0), with `scale`; mean k x scale."));
  if (takes(1)) v(number("scale", w.scale).range(0, big).positive().unit("key's unit").vary(Vary::kMeta).doc("Gamma: scale (> 0), with `shape`."));
  if (takes(2)) v(number("meanlog", w.meanlog).range(-1000, 1000).vary(Vary::kMeta).doc("Lognormal: mean of the logarithm, with `sdlog`."));
  if (takes(2)) v(number("sdlog", w.sdlog).range(0, 100).positive().vary(Vary::kMeta).doc("Lognormal: standard deviation of the logarithm (> 0), with `meanlog`."));
  if (all || f <= 3) {
    v(number("mean", w.mean).range(-big, big).unit("key's unit").vary(Vary::kMeta)
          .doc("Normal: the mean, with `sd`. Gamma, lognormal and beta also take `mean` and `sd` of the variable itself "
               "instead of their own parameters (method of moments): gamma shape = mean^2 / sd^2, scale = sd^2 / mean "
               "(mean > 0); lognormal sdlog^2 = ln(1 + sd^2 / mean^2), meanlog = ln(mean) - sdlog^2 / 2 (mean > 0); "
               "beta alpha = mean c, beta = (1 - mean) c with c = mean (1 - mean) / sd^2 - 1 (0 < mean < 1, sd^2 < "
               "mean (1 - mean))."));
    v(number("sd", w.sd).range(0, big).positive().unit("key's unit").vary(Vary::kMeta)
          .doc("Standard deviation (> 0): normal; gamma, lognormal and beta with `mean`."));
  }
  if (takes(4) || takes(5)) v(number("low", w.low).range(-big, big).unit("key's unit").vary(Vary::kMeta).doc("Uniform, triangular: lower bound (< high)."));
  if (takes(5)) v(number("mode", w.mode).range(-big, big).unit("key's unit").vary(Vary::kMeta).doc("Triangular: most likely value, low <= mode <= high."));
  if (takes(4) || takes(5)) v(number("high", w.high).range(-big, big).unit("key's unit").vary(Vary::kMeta).doc("Uniform, triangular: upper bound (> low)."));
  v(text("source", p.source).required().vary(Vary::kMeta)
        .doc("Where the distribution comes from: a source tag, or \"assumption: ...\" (required)."));
  v.check([&](auto& c) { check_uncertain(c, p); });
}

template <class V>
void describe(V& v, CorrelationGroup& g) {
  using namespace schema;
  v(names("parameters", g.parameters, "", "uncertain parameter").required().vary(Vary::kMeta)
        .doc("Names of `[uncertainty.<name>]` tables, at least two, each once."));
  v(matrix("matrix", g.matrix).range(-1, 1).required().vary(Vary::kMeta)
        .doc("The group's correlation matrix, rows and columns in the order of `parameters`: `[[1.0, 0.3], [0.3, "
             "1.0]]`; symmetric, unit diagonal, entries in [-1, 1], positive definite."));
  v.check([&](auto& c) { check_correlation(c, g); });
}

template <class C>
void check_uncertain(C& c, const UncertainParameter& p) {
  const bool key = c.present("key"), keys = c.present("keys");
  if (key && keys) {
    c.error("keys", "either key (one number) or keys (several that take the same value), not both", "both");
  } else if (!key && !keys) {
    c.error("key", "a string (required)", "nothing (the key is missing)");
  } else if (keys && p.keys.empty() && c.ok("keys")) {
    c.error("keys", "at least one dotted key path", "an empty array");
  }
  if (c.ok("source") && c.present("source") && p.source.find_first_not_of(" \t") == std::string::npos) {
    c.error("source", "where the distribution comes from (a source tag, or \"assumption: ...\")", "an empty string");
  }
  if (p.family >= kUncertainDistributionNames.size()) return;
  const std::string f(kUncertainDistributionNames[p.family]);
  const UncertainParameter::Written& w = p.written;
  // The parameters a family needs (each present, or reported), given as its own or as moments.
  const auto need = [&](std::initializer_list<const char*> keys_needed) {
    bool all = true;
    for (const char* k : keys_needed) {
      if (c.present(k)) continue;
      c.error_here("a \"" + std::string(k) + "\" parameter for the " + f + " distribution (" +
                       std::string(uncertain_parameters_text(p.family)) + ")",
                   "none");
      all = false;
    }
    return all && std::all_of(keys_needed.begin(), keys_needed.end(), [&](const char* k) { return c.ok(k); });
  };
  static constexpr std::array<std::array<const char*, 2>, 3> kOwn = {{{"alpha", "beta"}, {"shape", "scale"}, {"meanlog", "sdlog"}}};
  if (p.family <= 2) {  // beta, gamma, lognormal: their own parameters, or mean and sd
    const bool own = c.present(kOwn[p.family][0]) || c.present(kOwn[p.family][1]);
    if (own == (c.present("mean") || c.present("sd"))) {
      c.error_here("either \"" + std::string(kOwn[p.family][0]) + "\" and \"" + kOwn[p.family][1] +
                       "\", or \"mean\" and \"sd\", for the " + f + " distribution",
                   own ? "both kinds" : "neither");
      return;
    }
    if (own) {
      need({kOwn[p.family][0], kOwn[p.family][1]});
      return;
    }
    if (!need({"mean", "sd"})) return;
    if (p.family == 0 && !(*w.mean > 0.0 && *w.mean < 1.0)) {
      c.error("mean", "a number in (0, 1) for the mean of a beta distribution", c.number(*w.mean));
    } else if (p.family == 0 && !(*w.sd * *w.sd < *w.mean * (1.0 - *w.mean))) {
      c.error("sd", "sd < sqrt(mean (1 - mean)) = " + c.number(std::sqrt(*w.mean * (1.0 - *w.mean))) +
                        " for a beta distribution",
              c.number(*w.sd));
    } else if (p.family != 0 && !(*w.mean > 0.0)) {
      c.error("mean", "a number > 0", c.number(*w.mean));
    }
  } else if (p.family == 3) {
    need({"mean", "sd"});
  } else if (need(p.family == 4 ? std::initializer_list<const char*>{"low", "high"}
                                : std::initializer_list<const char*>{"low", "mode", "high"})) {
    if (!(*w.low < *w.high)) {
      c.error("high", "high > low (" + c.number(*w.low) + ")", c.number(*w.high));
    } else if (p.family == 5 && (*w.mode < *w.low || *w.mode > *w.high)) {
      c.error("mode", "low <= mode <= high (" + c.number(*w.low) + " to " + c.number(*w.high) + ")", c.number(*w.mode));
    }
  }
}

template <class C>
void check_correlation(C& c, const CorrelationGroup& g) {
  const std::vector<std::string>& all = c.names_of("uncertainty");
  const std::size_t k = g.parameters.size();
  if (c.present("parameters") && c.ok("parameters")) {
    // (A name in an earlier group too is the whole uncertainty's rule: check_groups.)
    for (std::size_t i = 0; i < k; ++i) {
      const std::string& name = g.parameters[i];
      const std::string at = "parameters[" + std::to_string(i) + "]";
      if (std::find(all.begin(), all.end(), name) == all.end()) {
        c.error(at, "the name of an uncertain parameter (one of " + schema::quoted(all) + ")",
                "an unknown parameter \"" + name + "\"");
      } else if (std::find(g.parameters.begin(), g.parameters.begin() + static_cast<std::ptrdiff_t>(i), name) !=
                 g.parameters.begin() + static_cast<std::ptrdiff_t>(i)) {
        c.error(at, "each parameter once in a group", "\"" + name + "\" a second time");
      }
    }
    if (k < 2) c.error("parameters", "at least two parameters", std::to_string(k));
  }
  if (!c.present("matrix") || !c.ok("matrix") || k < 2) return;
  const std::string size = std::to_string(k) + " x " + std::to_string(k);
  if (g.matrix.size() != k) {
    c.error("matrix", "a " + size + " correlation matrix (one row per parameter)",
            std::to_string(g.matrix.size()) + " row" + (g.matrix.size() == 1 ? "" : "s"));
    return;
  }
  bool entries_ok = true;
  Eigen::MatrixXd m(static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(k));
  for (std::size_t i = 0; i < k; ++i) {
    const std::string row = "matrix[" + std::to_string(i) + "]";
    if (g.matrix[i].size() != k) {
      c.error(row, "a row of " + std::to_string(k) + " numbers",
              c.written(row) == "an array"
                  ? std::to_string(g.matrix[i].size()) + " number" + (g.matrix[i].size() == 1 ? "" : "s")
                  : c.written(row));
      entries_ok = false;
      continue;
    }
    for (std::size_t j = 0; j < k; ++j) {
      const double x = g.matrix[i][j];
      const std::string e = row + "[" + std::to_string(j) + "]";
      if (!(x >= -1.0 && x <= 1.0)) {
        c.error(e, "a number in [-1, 1]", c.written(e));
        entries_ok = false;
      } else if (i == j && x != 1.0) {
        c.error(e, "1 (the diagonal of a correlation matrix)", c.written(e));
        entries_ok = false;
      } else {
        m(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = x;
      }
    }
  }
  if (!entries_ok) return;
  for (std::size_t i = 0; i < k; ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      const double lower = m(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j));
      const double upper = m(static_cast<Eigen::Index>(j), static_cast<Eigen::Index>(i));
      if (std::fabs(lower - upper) <= 1e-12) continue;
      c.error("matrix[" + std::to_string(i) + "][" + std::to_string(j) + "]",
              "a symmetric matrix: the value at [" + std::to_string(j) + "][" + std::to_string(i) + "], " +
                  c.number(upper),
              c.number(lower));
      entries_ok = false;
    }
  }
  if (entries_ok && Eigen::LLT<Eigen::MatrixXd>(m).info() != Eigen::Success) {
    c.error("matrix", "a positive definite correlation matrix",
            "a matrix that is not positive definite (its Cholesky factorisation fails)");
  }
}

}  // namespace mhsim::models::psa
