// SPDX-License-Identifier: MIT
#include "analysis/text_format.hpp"
#include "analysis/results_analysis.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <initializer_list>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

#include <Eigen/Dense>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "analysis/merge.hpp"
#include "analysis/pathway_results.hpp"
#include "analysis/partner_risk.hpp"
#include "analysis/payout_results.hpp"
#include "analysis/voi.hpp"
#include "models/contracts/settlement.hpp"
#include "models/pathway/pathway.hpp"
#include "models/scenario/diagnostics.hpp"
#include "models/scenario/uncertainty.hpp"

namespace mhsim::analysis {
namespace {

namespace pw = models::pathway;
namespace ct = models::contracts;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();


// Values of one metric: [arm][replication].
using ArmValues = std::vector<std::vector<double>>;

struct Metric {
  std::string id, label, unit;
  ArmValues values;
};

std::string string_or(const ResultsReader& f, const char* name, const std::string& fallback = "") {
  return f.has_attribute(name) ? f.string_attribute(name) : fallback;
}

/// A root attribute of newline-separated lines (settings, derived), without empty ones.
std::vector<std::string> attribute_lines(const ResultsReader& f, const char* name) {
  std::vector<std::string> out;
  const std::string lines = string_or(f, name);
  for (std::size_t at = 0; at < lines.size();) {
    const std::size_t nl = lines.find('\n', at);
    const std::size_t end = nl == std::string::npos ? lines.size() : nl;
    if (end > at) out.push_back(lines.substr(at, end - at));
    at = end + 1;
  }
  return out;
}

// A dataset of a pathway results file with its expected shape checked.
std::vector<double> read_checked(const ResultsReader& f, const std::string& path, const std::string& file,
                                 const std::vector<std::uint64_t>& shape) {
  const std::vector<std::uint64_t> got = f.shape(path);
  if (got != shape) {
    auto text = [](const std::vector<std::uint64_t>& s) {
      std::string out = "[";
      for (std::size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
      return out + "]";
    };
    throw std::runtime_error(file + ": dataset " + path + " has shape " + text(got) + ", expected " + text(shape));
  }
  return f.read_double(path);
}

bool has_dataset(const std::vector<std::string>& names, const std::string& path) {
  return std::binary_search(names.begin(), names.end(), path);
}

// Per-replication paired comparison with the share of replications where b > a.
DifferenceRow difference(const Metric& m, std::size_t arm, std::size_t base, const std::vector<std::string>& arms) {
  DifferenceRow row{m.id, m.label, m.unit, arms[arm], arms[base], decision::paired(m.values[base], m.values[arm]), 0};
  std::uint64_t higher = 0, n = 0;
  for (std::size_t r = 0; r < m.values[arm].size(); ++r) {
    const double a = m.values[base][r], b = m.values[arm][r];
    if (std::isnan(a) || std::isnan(b)) continue;
    ++n;
    if (b > a) ++higher;
  }
  row.prob_higher = n ? static_cast<double>(higher) / static_cast<double>(n) : kNaN;
  return row;
}

// Whole-horizon value of system KPI k from the yearly values (by the KPI's whole-run rule).
double horizon_value(const double* years_k, std::size_t stride, std::size_t horizon, pw::SystemKpi k) {
  const auto at = [&](std::size_t y, pw::SystemKpi kk) { return years_k[y * stride + static_cast<std::size_t>(kk)]; };
  const auto discharges = [&](std::size_t y) {
    return at(y, pw::SystemKpi::kWemwbsImproved) + at(y, pw::SystemKpi::kWemwbsDecreased) +
           at(y, pw::SystemKpi::kWemwbsUnchanged);
  };
  switch (whole_run_rule(k)) {
    case WholeRun::kSum: {
      double s = 0;
      for (std::size_t y = 0; y < horizon; ++y) s += at(y, k);
      return s;
    }
    case WholeRun::kLastYear:
      return at(horizon - 1, k);
    case WholeRun::kDischargeWeighted: {
      double num = 0, den = 0;
      for (std::size_t y = 0; y < horizon; ++y) {
        num += at(y, k) * discharges(y);
        den += discharges(y);
      }
      return den > 0 ? num / den : 0.0;
    }
    case WholeRun::kShareOfDischarges: {
      double num = 0, den = 0;
      for (std::size_t y = 0; y < horizon; ++y) {
        num += at(y, pw::SystemKpi::kWemwbsImproved);
        den += discharges(y);
      }
      return den > 0 ? num / den : 0.0;
    }
  }
  return kNaN;
}

// "referrals_secondary" -> "Referrals secondary".
std::string readable(std::string_view name) {
  std::string out(name);
  for (char& c : out) c = c == '_' ? ' ' : c;
  if (!out.empty()) out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
  return out;
}

std::vector<double> grid(double max, std::size_t points) {
  std::vector<double> g(points);
  for (std::size_t i = 0; i < points; ++i) {
    g[i] = points > 1 ? max * static_cast<double>(i) / static_cast<double>(points - 1) : 0.0;
  }
  return g;
}

// Running mean and SE at n = 2, 3, ..., every value up to 100 then about 200 points in all.
void convergence(const std::string& id, const std::string& label, const std::vector<double>& v,
                 std::vector<ConvergencePoint>& out) {
  const std::size_t R = v.size();
  const std::size_t step = std::max<std::size_t>(1, R / 200);
  double mean = 0, m2 = 0;
  std::uint64_t n = 0;
  for (std::size_t r = 0; r < R; ++r) {
    if (std::isnan(v[r])) continue;
    ++n;
    const double d = v[r] - mean;
    mean += d / static_cast<double>(n);
    m2 += d * (v[r] - mean);
    const bool record = n >= 2 && (n <= 100 || (r + 1) % step == 0 || r + 1 == R);
    if (record) {
      const double sd = std::sqrt(m2 / static_cast<double>(n - 1));
      out.push_back({id, label, n, mean, sd / std::sqrt(static_cast<double>(n))});
    }
  }
}

const char* distribution_name(scenario::UncertainDistribution d) {
  switch (d) {
    case scenario::UncertainDistribution::kBeta: return "beta";
    case scenario::UncertainDistribution::kGamma: return "gamma";
    case scenario::UncertainDistribution::kLognormal: return "lognormal";
    case scenario::UncertainDistribution::kNormal: return "normal";
    case scenario::UncertainDistribution::kUniform: return "uniform";
    case scenario::UncertainDistribution::kTriangular: return "triangular";
  }
  return "?";
}

// The painshare cap of partner p in arm terms `t`: kappa_i when p is an alliance member
// with a cap of its own.
}  // namespace

std::vector<std::string> stored_settings(const ResultsReader& file) { return attribute_lines(file, "settings"); }

scenario::PathwayScenario stored_scenario(const ResultsReader& file, const std::string& results_path) {
  const std::string model = string_or(file, "model");
  if (model != "pathway") {
    throw std::runtime_error(results_path + ": expected the results of a pathway scenario (root attribute model = \"pathway\"), got " +
                             (model.empty() ? std::string("no model attribute") : "model = \"" + model + "\""));
  }
  if (!file.has_attribute("scenario_text")) {
    throw std::runtime_error(results_path + ": root attribute scenario_text is missing (not a complete mhsim results file)");
  }
  const std::string scenario_file = string_or(file, "scenario_file", "scenario");
  try {
    scenario::PathwayScenario sc = scenario::parse_pathway_scenario(file.string_attribute("scenario_text"), scenario_file);
    const std::vector<std::string> settings = stored_settings(file);
    return settings.empty() ? sc : scenario::apply_settings(sc, settings);
  } catch (const scenario::ScenarioError& e) {
    throw std::runtime_error(results_path + ": the scenario stored in the file no longer reads with this version of mhsim:\n" +
                             e.what());
  }
}

Metamodel linear_metamodel(const std::vector<std::vector<double>>& x, const std::vector<double>& y,
                           const std::vector<double>& low, const std::vector<double>& high) {
  const std::size_t J = x.size(), R = y.size();
  Metamodel out;
  if (J == 0 || R < J + 2 || low.size() != J || high.size() != J) return out;
  Eigen::MatrixXd X(static_cast<Eigen::Index>(R), static_cast<Eigen::Index>(J + 1));
  Eigen::VectorXd Y(static_cast<Eigen::Index>(R));
  std::vector<double> means(J, 0.0);
  for (std::size_t j = 0; j < J; ++j) {
    if (x[j].size() != R) throw std::invalid_argument("linear_metamodel: parameter " + std::to_string(j) + " has " +
                                                      std::to_string(x[j].size()) + " values, expected " + std::to_string(R));
    means[j] = std::accumulate(x[j].begin(), x[j].end(), 0.0) / static_cast<double>(R);
  }
  for (std::size_t r = 0; r < R; ++r) {
    const auto i = static_cast<Eigen::Index>(r);
    X(i, 0) = 1.0;
    for (std::size_t j = 0; j < J; ++j) X(i, static_cast<Eigen::Index>(j + 1)) = x[j][r] - means[j];
    Y(i) = y[r];
  }
  // Column-pivoting QR: a parameter that did not vary (rank deficiency) gets a zero effect.
  const Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(X);
  const Eigen::VectorXd beta = qr.solve(Y);
  const Eigen::VectorXd fitted = X * beta;
  const double ybar = Y.mean();
  const double ss_tot = (Y.array() - ybar).square().sum();
  const double ss_res = (Y - fitted).squaredNorm();
  out.base = beta(0);
  out.r_squared = ss_tot > 0 ? 1.0 - ss_res / ss_tot : 1.0;
  for (std::size_t j = 0; j < J; ++j) {
    const double b = beta(static_cast<Eigen::Index>(j + 1));
    out.at_low.push_back(out.base + b * (low[j] - means[j]));
    out.at_high.push_back(out.base + b * (high[j] - means[j]));
  }
  return out;
}

namespace {

using voi::Columns;

// f(0), ..., f(n - 1) on TBB's workers: each call writes its own slot, so the result does
// not depend on the thread count or the order the calls run in.
template <class F>
void each(std::size_t n, const F& f) {
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, 1), [&](const tbb::blocked_range<std::size_t>& range) {
    for (std::size_t i = range.begin(); i != range.end(); ++i) f(i);
  });
}

// What is assessed: every uncertain input on its own, then each stated group.
struct VoiUnit {
  std::string name, kind, description;
  std::vector<std::string> parameters;
  Columns x;
};

std::vector<VoiUnit> voi_units(const std::vector<std::vector<double>>& x,
                               const std::vector<const scenario::UncertainParameter*>& params,
                               const scenario::AnalysisSettings& s) {
  std::vector<VoiUnit> units;
  for (std::size_t j = 0; j < params.size(); ++j) units.push_back({params[j]->name, "parameter", "", {params[j]->name}, {&x[j]}});
  for (const scenario::ParameterGroup& g : s.groups) {
    VoiUnit u{g.name, "group", g.description, g.parameters, {}};
    for (const std::string& name : g.parameters) {
      for (std::size_t j = 0; j < params.size(); ++j) {
        if (params[j]->name == name) u.x.push_back(&x[j]);
      }
    }
    // A name the run did not draw (a group over a parameter added since) is reported by
    // the scenario check; here the group is only assessed when every member was drawn.
    if (u.x.size() == g.parameters.size()) units.push_back(std::move(u));
  }
  return units;
}

}  // namespace

void value_of_information(Analysis& out, const std::vector<std::vector<double>>& x,
                          const std::vector<const scenario::UncertainParameter*>& params,
                          const std::vector<std::vector<double>>& cost, const std::vector<std::vector<double>>& effect,
                          const std::vector<std::vector<std::vector<double>>>& gain_pain,
                          const std::vector<std::vector<std::vector<double>>>& painshare) {
  const scenario::AnalysisSettings& s = out.settings;
  const std::size_t R = out.replications, A = out.arms.size();
  if (R < voi::kMinReplications || params.empty()) return;
  // Every value a regression reads must be a number; a replication without one (which a
  // complete run does not have) leaves value of information out rather than failing the
  // whole analysis.
  const auto finite = [](const std::vector<std::vector<double>>& m) {
    return std::all_of(m.begin(), m.end(), [](const std::vector<double>& v) {
      return std::all_of(v.begin(), v.end(), [](double d) { return std::isfinite(d); });
    });
  };
  if (!finite(x) || !finite(cost) || !finite(effect)) return;
  out.voi_population_factor = voi::population_factor(s.voi_decisions_per_year, s.voi_years, s.discount_rate);
  const std::vector<VoiUnit> units = voi_units(x, params, s);
  const voi::Options options;
  const auto net_benefits = [&](double wtp) {
    std::vector<std::vector<double>> nb(A, std::vector<double>(R));
    for (std::size_t a = 0; a < A; ++a) {
      for (std::size_t r = 0; r < R; ++r) nb[a][r] = decision::net_monetary_benefit(cost[a][r], effect[a][r], wtp);
    }
    return nb;
  };
  if (A >= 2) {
    for (const double wtp : s.willingness_to_pay) {
      const std::vector<std::vector<double>> nb = net_benefits(wtp);
      const double evpi = decision::evpi(cost, effect, wtp);
      // The two arms with the highest mean net benefit, and their difference.
      std::vector<std::size_t> by_mean(A);
      std::iota(by_mean.begin(), by_mean.end(), std::size_t{0});
      std::vector<double> mean_nb(A);
      for (std::size_t a = 0; a < A; ++a) mean_nb[a] = std::accumulate(nb[a].begin(), nb[a].end(), 0.0);
      std::stable_sort(by_mean.begin(), by_mean.end(), [&](std::size_t l, std::size_t r) { return mean_nb[l] > mean_nb[r]; });
      std::vector<double> decisive(R);
      for (std::size_t r = 0; r < R; ++r) decisive[r] = nb[by_mean[0]][r] - nb[by_mean[1]][r];
      std::vector<EvppiRow> rows(units.size());
      each(units.size(), [&](std::size_t i) {
        const VoiUnit& u = units[i];
        const voi::Evppi e = voi::evppi(u.x, nb, options);
        rows[i] = {u.name, u.kind, u.parameters, u.description, voi::method_name(e.method), wtp, e.value, e.se, evpi,
                   e.value * out.voi_population_factor, voi::variance_share(u.x, decisive, options)};
      });
      std::stable_sort(rows.begin(), rows.end(), [](const EvppiRow& a, const EvppiRow& b) {
        return a.evppi != b.evppi ? a.evppi > b.evppi : a.inmb_share > b.inmb_share;
      });
      out.evppi.insert(out.evppi.end(), rows.begin(), rows.end());
    }
    // Convergence at the first willingness to pay: the estimate from the first n
    // replications, n = R/8, 2R/8, ..., R (each at least voi::kMinReplications).
    if (!s.willingness_to_pay.empty()) {
      const double wtp = s.willingness_to_pay.front();
      voi::Options quick = options;
      quick.draws = 200;
      std::vector<std::size_t> sizes;
      for (std::size_t k = 1; k <= 8; ++k) {
        if (R * k / 8 >= voi::kMinReplications) sizes.push_back(R * k / 8);
      }
      const std::vector<std::vector<double>> nb = net_benefits(wtp);
      out.evppi_convergence.resize(sizes.size() * units.size());
      each(out.evppi_convergence.size(), [&](std::size_t i) {
        const std::size_t n = sizes[i / units.size()];
        const VoiUnit& u = units[i % units.size()];
        const auto head = [n](const std::vector<double>& v) {
          return std::vector<double>(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(n));
        };
        std::vector<std::vector<double>> xs, nbs;
        for (const auto* col : u.x) xs.push_back(head(*col));
        for (const auto& arm : nb) nbs.push_back(head(arm));
        voi::Columns cols;
        for (const auto& col : xs) cols.push_back(&col);
        const voi::Evppi e = voi::evppi(cols, nbs, n == R ? options : quick);
        out.evppi_convergence[i] = {u.name, n, e.value, e.se};
      });
    }
  }
  // Each partner's risk: its gain/pain over the horizon, and whether its painshare exceeds
  // its reserves, explained input by input.
  for (std::size_t a = 0; a < A; ++a) {
    for (std::size_t p = 0; p < out.partners.size(); ++p) {
      const std::vector<double>& gp = gain_pain[a][p];
      if (gp.empty() || !finite({gp}) || !(decision::summarise_values(gp).sd > 0)) continue;
      const auto attribute = [&](const std::string& output, const std::vector<double>& y) {
        std::vector<RiskAttributionRow> rows(units.size());
        each(units.size(), [&](std::size_t i) {
          rows[i] = {out.arms[a], out.partners[p], output, units[i].name, units[i].kind,
                     voi::variance_share(units[i].x, y, options)};
        });
        std::stable_sort(rows.begin(), rows.end(), [](const auto& l, const auto& r) { return l.share > r.share; });
        out.risk_attribution.insert(out.risk_attribution.end(), rows.begin(), rows.end());
      };
      attribute("gain_pain", gp);
      const double reserve = p < s.reserves.size() ? s.reserves[p] : kNaN;
      if (!std::isnan(reserve)) {
        std::vector<double> above(R);
        double hits = 0;
        for (std::size_t r = 0; r < R; ++r) {
          above[r] = painshare[a][p][r] > reserve ? 1.0 : 0.0;
          hits += above[r];
        }
        if (hits > 0 && hits < static_cast<double>(R)) attribute("painshare_above_reserve", above);
      }
    }
  }
}

Analysis analyse_pathway(const ResultsReader& f, const std::string& path, const scenario::PathwayScenario& sc,
                         const scenario::AnalysisSettings& settings_in) {
  Analysis out;
  out.results_file = path;
  out.analysed_utc = utc_timestamp();
  out.scenario_name = string_or(f, "scenario_name", sc.name);
  out.scenario_description = sc.description;
  out.scenario_file = string_or(f, "scenario_file");
  out.scenario_sha256 = string_or(f, "scenario_sha256");
  out.mhsim_version = string_or(f, "mhsim_version");
  out.derived = attribute_lines(f, "derived");
  out.created_utc = string_or(f, "created_utc");
  out.seed = f.has_attribute("seed") ? f.uint_attribute("seed") : 0;

  const std::vector<std::string> names = f.datasets();
  if (!has_dataset(names, "ledger/partner_cost") || !has_dataset(names, "kpi/system")) {
    throw std::runtime_error(path + ": not a pathway results file (no ledger/partner_cost or kpi/system dataset)");
  }
  out.arms = f.labels("arms/name");
  out.partners = f.labels("partners/name");
  const std::vector<std::uint64_t> pc_shape = f.shape("ledger/partner_cost");
  if (pc_shape.size() != 4) throw std::runtime_error(path + ": dataset ledger/partner_cost must have 4 dimensions");
  const std::size_t R = pc_shape[0], A = pc_shape[1], Y = pc_shape[2], P = pc_shape[3];
  if (A != out.arms.size() || P != out.partners.size()) {
    throw std::runtime_error(path + ": ledger/partner_cost's shape disagrees with arms/name and partners/name");
  }
  require_complete_run(f, path, R);
  if (R < 2) throw std::runtime_error(path + ": analysis needs at least 2 replications, the file has " + std::to_string(R));
  if (sc.spec.arms.size() != A || sc.spec.partners.size() != P) {
    throw std::runtime_error(path + ": the stored scenario's arms or partners disagree with the datasets");
  }
  out.replications = R;
  out.years = Y;

  // Settings, checked against the file.
  scenario::AnalysisSettings s = settings_in;
  if (s.horizon_years == 0) s.horizon_years = Y;
  if (s.horizon_years > Y) {
    throw std::invalid_argument("horizon of " + std::to_string(s.horizon_years) + " years: the run simulated " +
                                std::to_string(Y) + " (expected 1.." + std::to_string(Y) + ")");
  }
  if (s.base_arm >= A) throw std::invalid_argument("base arm index " + std::to_string(s.base_arm) + " is out of range");
  if (!(s.risk_level > 0 && s.risk_level < 1)) throw std::invalid_argument("risk level must lie in (0, 1)");
  if (s.reserves.size() != P) s.reserves.assign(P, kNaN);
  out.settings = s;
  out.effect_label = s.effect == "wemwbs_points" ? "WEMWBS points" : "QALYs";
  const std::size_t H = s.horizon_years, base = s.base_arm;
  out.behaviour = behaviour_rows(f, sc, base, H);
  std::vector<double> df(H);
  for (std::size_t y = 0; y < H; ++y) {
    df[y] = decision::discount_factor(static_cast<int>(y), s.discount_rate,
                                      s.mid_year ? decision::DiscountTiming::mid_year : decision::DiscountTiming::year_start);
  }

  // ---- read -----------------------------------------------------------------------------
  const std::size_t K = pw::kSystemKpis;
  const std::vector<double> partner_cost = read_checked(f, "ledger/partner_cost", path, {R, A, Y, P});
  const std::vector<double> kpi = read_checked(f, "kpi/system", path, {R, A, Y, K});
  out.has_payouts = has_dataset(names, "payouts/partner") && has_dataset(names, "payouts/arm");
  std::vector<double> pay, arm_pay;
  if (out.has_payouts) {
    pay = read_checked(f, "payouts/partner", path, {R, A, Y, P, kPartnerPayoutFieldCount});
    arm_pay = read_checked(f, "payouts/arm", path, {R, A, Y, kArmPayoutFieldCount});
  }
  if (s.cost_basis == "commissioner_spend" && !out.has_payouts) {
    throw std::invalid_argument("cost basis \"commissioner_spend\" needs the payouts of a settled run; " + path +
                                " has none (use cost basis \"ledger\")");
  }
  const auto pc = [&](std::size_t r, std::size_t a, std::size_t y, std::size_t p) {
    return partner_cost[((r * A + a) * Y + y) * P + p];
  };
  const auto kp = [&](std::size_t r, std::size_t a) { return &kpi[(r * A + a) * Y * K]; };
  const auto af = [&](std::size_t r, std::size_t a, std::size_t y, ArmField k) {
    return field(&arm_pay[((r * A + a) * Y + y) * kArmPayoutFieldCount], k);
  };
  using AF = ArmField;

  // ---- per-replication values ------------------------------------------------------------
  const auto arm_values = [&] { return ArmValues(A, std::vector<double>(R, 0.0)); };
  ArmValues ledger = arm_values(), spend = arm_values(), qalys = arm_values(), wemwbs = arm_values();
  // The commissioned side of the ledger: partners some arm's contracts pay; the others
  // (A&E, ambulance, police ...) are the wider system, onto which an arm may shift cost.
  std::vector<bool> contracted(P, false);
  for (const auto& c : sc.contracts) {
    const std::vector<bool> paid = ct::paid_partners(c.terms, P);
    for (std::size_t p = 0; p < P; ++p) contracted[p] = contracted[p] || paid[p];
  }
  const bool any_contracts = std::find(contracted.begin(), contracted.end(), true) != contracted.end();
  ArmValues commissioned = arm_values(), wider = arm_values();
  for (std::size_t r = 0; r < R; ++r) {
    for (std::size_t a = 0; a < A; ++a) {
      const double* k = kp(r, a);
      for (std::size_t y = 0; y < H; ++y) {
        double c = 0;
        for (std::size_t p = 0; p < P; ++p) {
          c += pc(r, a, y, p);
          (contracted[p] ? commissioned : wider)[a][r] += df[y] * pc(r, a, y, p);
        }
        ledger[a][r] += df[y] * c;
        const double* ky = k + y * K;
        qalys[a][r] += df[y] * ky[static_cast<std::size_t>(pw::SystemKpi::kQalys)];
        const double discharged = ky[static_cast<std::size_t>(pw::SystemKpi::kWemwbsImproved)] +
                                  ky[static_cast<std::size_t>(pw::SystemKpi::kWemwbsDecreased)] +
                                  ky[static_cast<std::size_t>(pw::SystemKpi::kWemwbsUnchanged)];
        wemwbs[a][r] += df[y] * ky[static_cast<std::size_t>(pw::SystemKpi::kWemwbsMeanChange)] * discharged;
        if (out.has_payouts) spend[a][r] += df[y] * af(r, a, y, AF::kCommissionerSpend);
      }
    }
  }
  const ArmValues& cost = s.cost_basis == "commissioner_spend" ? spend : ledger;
  const ArmValues& effect = s.effect == "wemwbs_points" ? wemwbs : qalys;

  std::vector<Metric> metrics;
  const std::string disc = "discounted at " + std::to_string(s.discount_rate * 100).substr(0, 4) + "%";
  metrics.push_back({"cost", s.cost_basis == "commissioner_spend" ? "Commissioner spend (" + disc + ")"
                                                                  : "Ledger cost (" + disc + ")",
                     "£", cost});
  metrics.push_back({"qalys", "QALYs (" + disc + ")", "QALYs", qalys});
  metrics.push_back({"wemwbs_points", "WEMWBS points gained at discharge (" + disc + ")", "points", wemwbs});
  if (out.has_payouts) {
    if (s.cost_basis == "commissioner_spend") metrics.push_back({"ledger_cost", "Ledger cost (" + disc + ")", "£", ledger});
    else metrics.push_back({"commissioner_spend", "Commissioner spend (" + disc + ")", "£", spend});
  }
  if (any_contracts) {
    metrics.push_back({"cost_contracted", "Ledger cost of contracted partners (" + disc + ")", "£", commissioned});
    metrics.push_back({"cost_wider_system", "Ledger cost borne by partners in no contract (" + disc + ")", "£", wider});
  }
  for (std::size_t p = 0; p < P; ++p) {
    Metric m{"partner_cost." + out.partners[p], "Ledger cost of " + out.partners[p] + " (undiscounted)", "£", arm_values()};
    for (std::size_t a = 0; a < A; ++a) {
      for (std::size_t r = 0; r < R; ++r) {
        for (std::size_t y = 0; y < H; ++y) m.values[a][r] += pc(r, a, y, p);
      }
    }
    metrics.push_back(std::move(m));
  }
  const auto& kpis = pw::system_kpis();
  for (std::size_t k = 0; k < K; ++k) {
    const auto kk = static_cast<pw::SystemKpi>(k);
    const std::string unit = kpis[k].unit == "pounds" ? "£" : std::string(kpis[k].unit);
    Metric m{"kpi." + std::string(kpis[k].name), readable(kpis[k].name) + " (undiscounted)", unit, arm_values()};
    for (std::size_t a = 0; a < A; ++a) {
      for (std::size_t r = 0; r < R; ++r) m.values[a][r] = horizon_value(kp(r, a), K, H, kk);
    }
    metrics.push_back(std::move(m));
  }

  for (const Metric& m : metrics) {
    for (std::size_t a = 0; a < A; ++a) out.metrics.push_back({m.id, m.label, m.unit, out.arms[a], decision::summarise_values(m.values[a])});
    if (m.id.find('.') == std::string::npos) out.headline_values.emplace_back(m.id, m.values);
  }
  for (const Metric& m : metrics) {
    for (std::size_t a = 0; a < A; ++a) {
      if (a != base) out.differences.push_back(difference(m, a, base, out.arms));
    }
  }

  out.samples.reserve(R * A);
  for (std::size_t r = 0; r < R; ++r) {
    for (std::size_t a = 0; a < A; ++a) {
      out.samples.push_back({r, a, cost[a][r], effect[a][r], out.has_payouts ? spend[a][r] : kNaN});
    }
  }

  // ---- cost-effectiveness -------------------------------------------------------------------
  for (std::size_t a = 0; a < A; ++a) {
    if (a == base) continue;
    const decision::Paired dc = decision::paired(cost[base], cost[a]);
    const decision::Paired de = decision::paired(effect[base], effect[a]);
    std::uint64_t dominates = 0, dominated = 0;
    for (std::size_t r = 0; r < R; ++r) {
      const double d_cost = cost[a][r] - cost[base][r], d_effect = effect[a][r] - effect[base][r];
      if (d_cost < 0 && d_effect > 0) ++dominates;
      if (d_cost > 0 && d_effect < 0) ++dominated;
    }
    out.icers.push_back({out.arms[a], out.arms[base], decision::icer(dc.mean_difference, de.mean_difference),
                         static_cast<double>(dominates) / static_cast<double>(R),
                         static_cast<double>(dominated) / static_cast<double>(R)});
    for (const double wtp : s.willingness_to_pay) {
      std::vector<double> nb(R), na(R);
      std::uint64_t positive = 0;
      for (std::size_t r = 0; r < R; ++r) {
        nb[r] = decision::net_monetary_benefit(cost[a][r], effect[a][r], wtp);
        na[r] = decision::net_monetary_benefit(cost[base][r], effect[base][r], wtp);
        if (nb[r] - na[r] > 0) ++positive;
      }
      out.nmb.push_back({out.arms[a], out.arms[base], wtp, decision::paired(na, nb),
                         static_cast<double>(positive) / static_cast<double>(R)});
    }
  }
  const std::vector<double> lambdas = grid(s.ceac_max, s.ceac_points);
  if (A > 1) {
    const std::vector<std::vector<double>> curve = decision::ceac(cost, effect, lambdas);
    for (std::size_t l = 0; l < lambdas.size(); ++l) {
      out.ceac.push_back({lambdas[l], curve[l]});
      out.evpi.push_back({lambdas[l], {decision::evpi(cost, effect, lambdas[l])}});
    }
  }

  // ---- risk ---------------------------------------------------------------------------------
  std::vector<std::vector<std::vector<double>>> gain_pain_total(A, std::vector<std::vector<double>>(P));
  std::vector<std::vector<std::vector<double>>> painshare_total = gain_pain_total;
  std::vector<double> pooled;  // payouts/commissioner [R][A][Y][C], when the scenario names commissioners
  if (out.has_payouts && !sc.commissioners.empty() && has_dataset(names, "payouts/commissioner")) {
    pooled = read_checked(f, "payouts/commissioner", path, {R, A, Y, sc.commissioners.size()});
  }
  // payouts/cash [R][A][Q][P][2], written when an arm's alliance is paid on account: the
  // arms without one are paid in four equal instalments, which partner_risk knows unaided.
  std::vector<double> cash;
  std::size_t Q = 0;
  if (out.has_payouts && has_dataset(names, "payouts/cash")) {
    const std::vector<std::uint64_t> shape = f.shape("payouts/cash");
    Q = shape.size() == 5 ? static_cast<std::size_t>(shape[2]) : 0;
    cash = read_checked(f, "payouts/cash", path, {R, A, Q, P, 2});
  }
  if (out.has_payouts) {
    for (std::size_t a = 0; a < A; ++a) {
      const ct::Terms& terms = a < sc.contracts.size() ? sc.contracts[a].terms : ct::Terms{};
      if (terms.contracts.empty()) continue;
      const ArmPayoutRows rows{&pay[a * Y * P * kPartnerPayoutFieldCount], &arm_pay[a * Y * kArmPayoutFieldCount],
                               R, Y, P, A * Y * P * kPartnerPayoutFieldCount, A * Y * kArmPayoutFieldCount};
      ArmCashRows arm_cash;
      if (ct::interim_alliance(terms) != nullptr) {
        const std::size_t own = ct::cash_quarters(terms, Y);
        if (cash.empty() || own > Q) {
          throw std::runtime_error(path + ": arm \"" + out.arms[a] + "\" pays its alliance on account, but payouts/cash " +
                                   (cash.empty() ? "is missing" : "holds fewer quarters than its " + std::to_string(own)));
        }
        arm_cash = {&cash[a * Q * P * 2], own, A * Q * P * 2};
      }
      for (std::size_t p = 0; p < P; ++p) {
        PartnerRisk risk = partner_risk(rows, p, H, terms, s.reserves[p], s.risk_level, arm_cash, true);
        if (!risk.takes_part) continue;
        for (std::size_t r = 0; r < R; ++r) out.payout_samples.push_back({r, a, p, risk.gain_pain[r], risk.margin[r], risk.painshare[r]});
        for (std::size_t k = 0; k < risk.path.size(); ++k) {
          out.reserve_paths.push_back(
              {out.arms[a], out.partners[p], k + 1, s.reserves[p], risk.path[k], risk.cash_exhausted_by.at(k)});
        }
        for (std::size_t q = 0; q < risk.cash_path.size(); ++q) {
          out.cash_paths.push_back({out.arms[a], out.partners[p], q + 1, s.reserves[p], risk.cash_path[q]});
        }
        risk.row.arm = out.arms[a];
        risk.row.partner = out.partners[p];
        out.risk.push_back(risk.row);
        gain_pain_total[a][p] = std::move(risk.gain_pain);
        painshare_total[a][p] = std::move(risk.painshare);
      }
      // The commissioner: its loss is what it spends (cash, over the horizon).
      RiskRow row = commissioner_risk(rows, H, s.commissioner_budget, s.risk_level);
      row.arm = out.arms[a];
      out.risk.push_back(row);
      // Several commissioners pooling a budget: each one's spend (payouts/commissioner).
      if (!pooled.empty()) {
        const std::size_t C = sc.commissioners.size();
        for (std::size_t k = 0; k < C; ++k) {
          const std::vector<double> own_spend = pooled_spend_over_horizon(&pooled[a * Y * C], R, A * Y * C, Y, C, k, H);
          RiskRow own = pooled_commissioner_risk(sc.commissioners[k].name, own_spend, H, sc.commissioners[k].budget,
                                                 s.risk_level);
          own.arm = out.arms[a];
          out.risk.push_back(own);
        }
      }
    }
  }

  // ---- key result areas ----------------------------------------------------------------------
  if (out.has_payouts && has_dataset(names, "payouts/kra_band")) {
    // payouts/kra_name: [arm, kra] of names; before issue 20, [arm x kra] of "<arm>/<kra>".
    const std::vector<std::string> kra_names = f.labels("payouts/kra_name");
    const std::vector<std::uint64_t> kra_shape = f.shape("payouts/kra_name");
    const bool flattened = kra_shape.size() == 1;
    if (!flattened && (kra_shape.size() != 2 || kra_shape[0] != A)) {
      throw std::runtime_error(path + ": payouts/kra_name: expected [" + std::to_string(A) + ", kra] names, got " +
                               std::to_string(kra_shape.size()) + " dimension(s)");
    }
    const std::size_t KR = flattened ? (A ? kra_names.size() / A : 0) : static_cast<std::size_t>(kra_shape[1]);
    const std::vector<double> band = read_checked(f, "payouts/kra_band", path, {R, A, Y, KR});
    for (std::size_t a = 0; a < A; ++a) {
      for (std::size_t k = 0; k < KR; ++k) {
        const std::string& full = kra_names[a * KR + k];
        if (full.empty()) continue;
        std::array<std::uint64_t, ct::kKraBandNames.size()> counts{};
        std::uint64_t n = 0;
        for (std::size_t r = 0; r < R; ++r) {
          for (std::size_t y = 0; y < H; ++y) {
            const double b = band[((r * A + a) * Y + y) * KR + k];
            if (std::isnan(b) || b < 0 || b >= static_cast<double>(counts.size())) continue;
            ++counts[static_cast<std::size_t>(b)];
            ++n;
          }
        }
        if (n == 0) continue;  // never assessed in the horizon
        const std::string kra = flattened ? full.substr(full.find('/') + 1) : full;
        for (std::size_t b = 0; b < counts.size(); ++b) {
          out.kra_bands.push_back({out.arms[a], kra, std::string(ct::kKraBandNames[b]),
                                   static_cast<double>(counts[b]) / static_cast<double>(n)});
        }
      }
    }
  }

  // ---- PSA: the draws and one-way sensitivity through a metamodel -------------------------------
  if (has_dataset(names, "psa/values") && !sc.uncertainty.empty()) {
    const std::vector<std::string> psa_names = f.labels("psa/name");
    const std::size_t N = psa_names.size();
    const std::vector<double> draws = read_checked(f, "psa/values", path, {R, N});
    std::vector<std::vector<double>> x(N, std::vector<double>(R));
    std::vector<double> low(N), high(N);
    std::vector<const scenario::UncertainParameter*> params(N, nullptr);
    for (std::size_t j = 0; j < N; ++j) {
      for (const auto& u : sc.uncertainty.parameters) {
        if (u.name == psa_names[j]) params[j] = &u;
      }
      if (params[j] == nullptr) {
        throw std::runtime_error(path + ": psa/name lists \"" + psa_names[j] + "\", which the stored scenario does not define");
      }
      for (std::size_t r = 0; r < R; ++r) x[j][r] = draws[r * N + j];
      low[j] = params[j]->quantile(0.05);
      high[j] = params[j]->quantile(0.95);
      const scenario::UncertainParameter& u = *params[j];
      out.psa.push_back({u.name, u.key, distribution_name(u.distribution), u.source, u.base, u.mean(), u.sd(), low[j],
                         high[j], decision::summarise_values(x[j]).mean});
    }
    // An input set only in other arms (every one of its keys is `arms.<arm>.…` of an arm the
    // output does not involve) cannot move the output: PSA sets the typed value of the arm it
    // names, after `extends` copied values. Its bar would be regression noise, so it is left out.
    const auto moves = [&](std::size_t j, std::initializer_list<std::size_t> arms_of_output) {
      for (const std::string& k : params[j]->keys) {
        if (k.rfind("arms.", 0) != 0) return true;
        for (std::size_t a : arms_of_output) {
          if (k.rfind("arms." + out.arms[a] + ".", 0) == 0) return true;
        }
      }
      return false;
    };
    const auto add_tornado = [&](const std::string& id, const std::string& label, const std::vector<double>& y,
                                 std::initializer_list<std::size_t> arms_of_output) {
      const Metamodel mm = linear_metamodel(x, y, low, high);
      for (std::size_t j = 0; j < mm.at_low.size(); ++j) {
        if (!moves(j, arms_of_output)) continue;
        out.tornado.push_back({id, label, params[j]->name, params[j]->key, low[j], high[j], mm.base, mm.at_low[j],
                               mm.at_high[j], mm.r_squared});
      }
    };
    const double wtp0 = s.willingness_to_pay.empty() ? 0.0 : s.willingness_to_pay.front();
    for (std::size_t a = 0; a < A; ++a) {
      if (a == base) continue;
      std::vector<double> inmb(R);
      for (std::size_t r = 0; r < R; ++r) {
        inmb[r] = decision::net_monetary_benefit(cost[a][r] - cost[base][r], effect[a][r] - effect[base][r], wtp0);
      }
      add_tornado("incremental_nmb:" + out.arms[a],
                  "Incremental net monetary benefit of " + out.arms[a] + " vs " + out.arms[base] + " at " +
                      pounds(wtp0) + " per " + (s.effect == "wemwbs_points" ? "WEMWBS point" : "QALY"),
                  inmb, {a, base});
    }
    for (std::size_t a = 0; a < A; ++a) {
      for (std::size_t p = 0; p < P; ++p) {
        const std::vector<double>& gp = gain_pain_total[a][p];
        if (gp.empty()) continue;
        const decision::Summary sm = decision::summarise_values(gp);
        if (!(sm.sd > 0)) continue;  // a partner with no gain/pain share has nothing to explain
        add_tornado("gain_pain:" + out.arms[a] + ":" + out.partners[p],
                    "Gain/pain share of " + out.partners[p] + " in " + out.arms[a] + " (undiscounted, over the horizon)",
                    gp, {a});
      }
    }
    value_of_information(out, x, params, cost, effect, gain_pain_total, painshare_total);
  }

  // ---- convergence and precision ------------------------------------------------------------
  for (std::size_t a = 0; a < A; ++a) convergence("cost:" + out.arms[a], "Cost of " + out.arms[a], cost[a], out.convergence);
  const double wtp0 = s.willingness_to_pay.empty() ? 0.0 : s.willingness_to_pay.front();
  std::vector<std::vector<double>> inc_cost(A), inc_effect(A), inc_nmb(A);
  for (std::size_t a = 0; a < A; ++a) {
    if (a == base) continue;
    inc_cost[a].resize(R);
    inc_effect[a].resize(R);
    inc_nmb[a].resize(R);
    for (std::size_t r = 0; r < R; ++r) {
      inc_cost[a][r] = cost[a][r] - cost[base][r];
      inc_effect[a][r] = effect[a][r] - effect[base][r];
      inc_nmb[a][r] = wtp0 * inc_effect[a][r] - inc_cost[a][r];
    }
    convergence("incremental_cost:" + out.arms[a], "Incremental cost of " + out.arms[a], inc_cost[a], out.convergence);
    convergence("incremental_nmb:" + out.arms[a], "Incremental NMB of " + out.arms[a], inc_nmb[a], out.convergence);
  }
  for (const scenario::PrecisionTarget& t : s.precision) {
    const auto need = [&](const std::string& arm, const std::vector<double>& v) {
      const decision::Summary sm = decision::summarise_values(v);
      const std::uint64_t n = sm.sd > 0 ? decision::replications_for_half_width(sm.sd, t.half_width) : 2;
      out.replications_needed.push_back({t.metric, arm, t.half_width, sm.sd, n, R});
    };
    for (std::size_t a = 0; a < A; ++a) {
      if (t.metric == "cost") need(out.arms[a], cost[a]);
      else if (t.metric == "qalys") need(out.arms[a], qalys[a]);
      else if (t.metric == "wemwbs_points") need(out.arms[a], wemwbs[a]);
      else if (t.metric == "commissioner_spend" && out.has_payouts) need(out.arms[a], spend[a]);
      if (a == base) continue;
      std::vector<double> d(R);
      const ArmValues* v = nullptr;
      if (t.metric == "incremental_cost") v = &cost;
      else if (t.metric == "incremental_qalys") v = &qalys;
      else if (t.metric == "incremental_wemwbs_points") v = &wemwbs;
      if (v != nullptr) {
        for (std::size_t r = 0; r < R; ++r) d[r] = (*v)[a][r] - (*v)[base][r];
        need(out.arms[a], d);
      } else if (t.metric == "incremental_nmb") {
        need(out.arms[a], inc_nmb[a]);
      }
    }
  }
  if (has_monthly(f)) out.monthly = summarise_monthly(f);
  return out;
}

}  // namespace mhsim::analysis
