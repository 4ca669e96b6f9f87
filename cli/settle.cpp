// SPDX-License-Identifier: MIT
// mhsim settle: settles one arm's contract terms, from a scenario, on a ledger the user
// supplies (year-end actuals) as a tidy CSV, with the same pure settlement as a run
// (models/contracts/settlement.hpp), and writes the same payout fields. Every problem with
// the scenario, the terms, the ledger and the command line is reported at once, with file,
// line and column; nothing is written then. docs/contracts.md, "Settling a ledger".
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <tuple>
#include <variant>
#include <vector>

#include "analysis/partner_risk.hpp"
#include "analysis/payout_results.hpp"
#include "analysis/results_file.hpp"
#include "analysis/text_format.hpp"
#include "cli/commands.hpp"
#include "cli/term_sets.hpp"
#include "cli/text.hpp"
#include "models/contracts/pathway_ledger.hpp"
#include "models/scenario/diagnostics.hpp"
#include "models/scenario/pathway_scenario.hpp"

namespace mhsim::cli {

namespace {

namespace ct = models::contracts;
namespace lg = models::ledger;
using scenario::Diagnostic;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// One CSV line split into fields (RFC 4180: commas, double quotes with "" inside quotes).
// False when a quote is left open.
bool split_csv(const std::string& line, std::vector<std::string>& out) {
  out.assign(1, "");
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        out.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        out.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return !quoted;
}

std::string in_quotes(const std::string& s) { return "\"" + s + "\""; }

std::string names_of(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + in_quotes(names[i]);
  return out;
}

// The quantities a ledger row may give.
struct Quantity {
  enum class Kind { kCost, kActivity, kSystemKpi, kServiceKpi, kPopulation };
  Kind kind = Kind::kCost;
  std::size_t index = 0;  // measure, system KPI or service KPI
};

std::optional<Quantity> quantity_named(const std::string& name) {
  if (name == "cost") return Quantity{Quantity::Kind::kCost, 0};
  if (name == "population") return Quantity{Quantity::Kind::kPopulation, 0};
  for (std::size_t m = 0; m < lg::kMeasures; ++m) {
    if (name == lg::kMeasureNames[m]) return Quantity{Quantity::Kind::kActivity, m};
  }
  if (name.rfind("kpi.", 0) == 0) {
    const std::string k = name.substr(4);
    for (std::size_t i = 0; i < lg::kSystemKpis; ++i) {
      if (k == lg::system_kpis()[i].name) return Quantity{Quantity::Kind::kSystemKpi, i};
    }
    for (std::size_t i = 0; i < lg::kServiceKpis; ++i) {
      if (k == lg::service_kpis()[i].name) return Quantity{Quantity::Kind::kServiceKpi, i};
    }
  }
  return std::nullopt;
}

// The KPIs the terms read, with the indicator or KRA that reads each (for messages).
std::vector<std::pair<ct::KpiRef, std::string>> kpis_read(const ct::Terms& terms) {
  std::vector<std::pair<ct::KpiRef, std::string>> out;
  const auto indicators = [&](const ct::Contract& c, const std::vector<ct::Indicator>& list) {
    for (const ct::Indicator& k : list) out.emplace_back(k.kpi, "contract " + in_quotes(c.name) + " indicator " + in_quotes(k.name));
  };
  for (const ct::Contract& c : terms.contracts) {
    if (const auto* o = std::get_if<ct::OutcomesTerms>(&c.terms)) indicators(c, o->indicators);
    if (const auto* b = std::get_if<ct::BlendedTerms>(&c.terms)) indicators(c, b->indicators);
    if (const auto* a = std::get_if<ct::AllianceTerms>(&c.terms)) {
      for (const ct::Kra& k : a->kras) out.emplace_back(k.kpi, "contract " + in_quotes(c.name) + " KRA " + in_quotes(k.name));
    }
  }
  return out;
}

using analysis::csv_number;  // one rule for every CSV file: analysis/text_format.hpp

}  // namespace

int settle_command(const SettleOptions& options) {
  std::vector<Diagnostic> errors;
  const auto cli_error = [&](const std::string& key, const std::string& expected, const std::string& got) {
    errors.push_back(Diagnostic{"command line", 0, 0, key, expected, got});
  };
  std::optional<scenario::PathwayScenario> sc;
  try {
    sc = scenario::load_pathway_scenario(options.scenario);
  } catch (const scenario::ScenarioError& e) {
    errors.insert(errors.end(), e.diagnostics().begin(), e.diagnostics().end());
  }

  // ---- the arm and its terms --------------------------------------------------------------
  std::size_t arm = 0;
  std::vector<std::string> services, partners;
  if (sc) {
    std::vector<std::string> arms;
    for (const auto& a : sc->spec.arms) arms.push_back(a.name);
    for (const auto& s : sc->spec.services) services.push_back(s.name);
    for (const auto& p : sc->spec.partners) partners.push_back(p.name);
    arm = static_cast<std::size_t>(std::find(arms.begin(), arms.end(), options.arm) - arms.begin());
    if (arm == arms.size()) {
      cli_error("--arm", "an arm of the scenario (" + names_of(arms) + ")", in_quotes(options.arm));
    } else if (arm >= sc->contracts.size() || sc->contracts[arm].terms.contracts.empty()) {
      cli_error("--arm", "an arm with contracts", in_quotes(options.arm) + ", which has none");
    } else {
      for (const std::string& set : options.sets) {
        const std::optional<Axis> term = parse_set(set, errors);
        if (!term) continue;
        if (term->values.size() != 1) {
          cli_error("--set", "path=value: one value (a grid of terms is for mhsim sweep and design)", in_quotes(set));
        } else if (auto problem = scenario::set_contract_term(*sc, term->path, term->values[0])) {
          cli_error("--set " + term->path, "a settable contract term", *problem);
        }
      }
      std::vector<std::size_t> owners;
      for (const auto& s : sc->spec.services) owners.push_back(s.partner);
      for (const std::string& m : ct::check_terms(sc->contracts[arm].terms, partners.size(), services.size(), owners)) {
        errors.push_back(Diagnostic{options.scenario, 0, 0, "arms." + options.arm + ".contracts", "valid terms", m});
      }
      for (const ct::Contract& c : sc->contracts[arm].terms.contracts) {
        const auto* al = std::get_if<ct::AllianceTerms>(&c.terms);
        if (al != nullptr && al->target_rule && al->target_rule->kind != ct::TargetRule::Kind::kFixed) {
          cli_error("arms." + options.arm + ".contracts." + c.name + ".target",
                    "a target in pounds: this one is set from another arm's simulated cost, which a ledger does not "
                    "have; give it with --set arms." + options.arm + ".contracts." + c.name + ".target=POUNDS",
                    "a target from arm " + in_quotes(sc->spec.arms[al->target_rule->arm].name));
        }
      }
    }
  }

  // ---- the ledger -------------------------------------------------------------------------
  // [year] of: service cost and activity, partner cost, KPIs, population.
  struct Year {
    std::vector<double> service_cost;
    std::vector<std::array<double, ct::kMeasures>> activity;
    std::vector<double> partner_cost;  // NaN: the sum of its services' costs
    std::vector<double> kpi, service_kpi;
    double population = kNaN;
  };
  std::vector<Year> years;
  std::ifstream in(options.ledger, std::ios::binary);
  const auto at = [&](std::uint32_t line, std::uint32_t column, const std::string& key, const std::string& expected,
                      const std::string& got) {
    errors.push_back(Diagnostic{options.ledger, line, column, key, expected, got});
  };
  std::error_code ec;
  if (std::filesystem::is_directory(options.ledger, ec)) {
    at(0, 0, "", "a CSV file (the ledger)", "a directory");
  } else if (!in) {
    at(0, 0, "", "a readable CSV file (the ledger)", "no such file, or it cannot be read");
  } else if (sc) {
    std::ostringstream whole;
    whole << in.rdbuf();
    std::string text = whole.str();
    if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);  // a BOM, as Excel writes
    std::istringstream lines(text);
    std::string line;
    std::vector<std::string> f;
    std::uint32_t n = 0;
    std::map<std::string, std::size_t> col;
    bool header_ok = false;
    std::size_t errors_after_header = 0;
    const std::vector<std::string> known = {"year", "partner", "service", "quantity", "value"};
    std::map<std::tuple<std::size_t, std::string, std::string, std::string>, std::uint32_t> seen;
    const std::size_t S = services.size(), P = partners.size();
    while (std::getline(lines, line)) {
      ++n;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (!split_csv(line, f)) {
        at(n, 1, "", "fields separated by commas, quotes closed", "a quote left open");
        continue;
      }
      if (col.empty()) {  // the header
        for (std::size_t i = 0; i < f.size(); ++i) {
          if (std::find(known.begin(), known.end(), f[i]) == known.end()) {
            at(n, static_cast<std::uint32_t>(i + 1), f[i], "a column of " + names_of(known), in_quotes(f[i]));
          } else if (!col.emplace(f[i], i).second) {
            at(n, static_cast<std::uint32_t>(i + 1), f[i], "each column once", "a second " + in_quotes(f[i]));
          }
        }
        for (const char* required : {"year", "quantity", "value"}) {
          if (col.count(required) == 0) at(n, 1, required, "a header naming the column " + in_quotes(required), "none");
        }
        header_ok = col.count("year") == 1 && col.count("quantity") == 1 && col.count("value") == 1;
        if (!header_ok) break;
        errors_after_header = errors.size();
        continue;
      }
      if (line.find_first_not_of(" \t") == std::string::npos) continue;  // a blank line
      if (f.size() != col.size()) {
        at(n, 1, "", std::to_string(col.size()) + " fields, as the header has", std::to_string(f.size()));
        continue;
      }
      const auto field = [&](const char* name) { return col.count(name) ? f[col[name]] : std::string(); };
      const auto column = [&](const char* name) { return static_cast<std::uint32_t>(col.count(name) ? col[name] + 1 : 0); };
      bool ok = true;
      const std::string year_text = field("year"), qname = field("quantity"), value_text = field("value");
      const std::string partner = field("partner"), service = field("service");
      char* end = nullptr;
      const double year_number = std::strtod(year_text.c_str(), &end);
      if (year_text.empty() || end != year_text.c_str() + year_text.size() || !(year_number >= 1) ||
          year_number > 100 || year_number != std::floor(year_number)) {
        at(n, column("year"), "year", "a whole number of years from 1 (the agreement's first year) to 100", in_quotes(year_text));
        ok = false;
      }
      const double value = std::strtod(value_text.c_str(), &end);
      if (value_text.empty() || end != value_text.c_str() + value_text.size() || !std::isfinite(value)) {
        at(n, column("value"), "value", "a finite number", in_quotes(value_text));
        ok = false;
      }
      const std::optional<Quantity> q = quantity_named(qname);
      if (!q) {
        at(n, column("quantity"), "quantity",
           "cost, contacts, days, episodes, team_years, population, or kpi.<name> of a system or service KPI (mhsim keys "
           "lists them)",
           in_quotes(qname));
        ok = false;
      }
      std::size_t s = S, p = P;
      if (!service.empty()) {
        s = static_cast<std::size_t>(std::find(services.begin(), services.end(), service) - services.begin());
        if (s == S) {
          at(n, column("service"), "service", "a service of the scenario (" + names_of(services) + ")", in_quotes(service));
          ok = false;
        }
      }
      if (!partner.empty()) {
        p = static_cast<std::size_t>(std::find(partners.begin(), partners.end(), partner) - partners.begin());
        if (p == P) {
          at(n, column("partner"), "partner", "a partner of the scenario (" + names_of(partners) + ")", in_quotes(partner));
          ok = false;
        }
      }
      if (!ok) continue;
      const auto owner = [&](std::size_t k) { return sc->spec.services[k].partner; };
      using K = Quantity::Kind;
      const bool service_row = q->kind == K::kActivity || q->kind == K::kServiceKpi || (q->kind == K::kCost && s < S);
      if (service_row && s == S) {
        at(n, column("service"), "service", "the service that " + qname + " is of", "none");
        continue;
      }
      if (!service_row && s < S) {
        at(n, column("service"), "service", "no service for " + qname, in_quotes(service));
        continue;
      }
      if (q->kind == K::kCost && s == S && p == P) {
        at(n, column("partner"), "partner", "a service (its cost) or a partner (its total cost, the Limb 1 basis)", "neither");
        continue;
      }
      if (s < S && p < P && owner(s) != p) {
        at(n, column("partner"), "partner", "the partner that runs " + in_quotes(service) + " (" + in_quotes(partners[owner(s)]) + ")",
           in_quotes(partner));
        continue;
      }
      if ((q->kind == K::kSystemKpi || q->kind == K::kPopulation) && p < P) {
        at(n, column("partner"), "partner", "no partner for " + qname, in_quotes(partner));
        continue;
      }
      if ((q->kind == K::kActivity || q->kind == K::kPopulation) && value < 0) {
        at(n, column("value"), "value", "a number >= 0 for " + qname, value_text);
        continue;
      }
      const std::size_t y = static_cast<std::size_t>(year_number) - 1;
      const auto key = std::make_tuple(y, s < S ? service : std::string(), s < S ? std::string() : partner, qname);
      if (const auto [it, fresh] = seen.emplace(key, n); !fresh) {
        at(n, column("quantity"), qname, "one value for each year, service or partner, and quantity",
           "a second one (the first is on line " + std::to_string(it->second) + ")");
        continue;
      }
      if (years.size() <= y) {
        years.resize(y + 1);
        for (Year& yr : years) {
          if (!yr.service_cost.empty()) continue;
          yr.service_cost.assign(S, 0.0);
          yr.activity.assign(S, std::array<double, ct::kMeasures>{});
          yr.partner_cost.assign(P, kNaN);
          yr.kpi.assign(lg::kSystemKpis, kNaN);
          yr.service_kpi.assign(S * lg::kServiceKpis, kNaN);
        }
      }
      Year& yr = years[y];
      switch (q->kind) {
        case K::kCost:
          if (s < S) yr.service_cost[s] = value;
          else yr.partner_cost[p] = value;
          break;
        case K::kActivity: yr.activity[s][q->index] = value; break;
        case K::kSystemKpi: yr.kpi[q->index] = value; break;
        case K::kServiceKpi: yr.service_kpi[s * lg::kServiceKpis + q->index] = value; break;
        case K::kPopulation: yr.population = value; break;
      }
    }
    if (n == 0) at(1, 1, "", "a header line and one row or more", "an empty file");
    else if (header_ok && years.empty() && errors.size() == errors_after_header) at(n, 1, "", "one row or more after the header", "none");
    for (std::size_t y = 0; y < years.size(); ++y) {
      if (years[y].service_cost.empty() ||
          std::none_of(seen.begin(), seen.end(), [&](const auto& e) { return std::get<0>(e.first) == y; })) {
        at(0, 0, "year", "rows for every year from 1 to " + std::to_string(years.size()), "none for year " + std::to_string(y + 1));
      }
    }
    // Every KPI the terms read, in every year.
    if (arm < sc->contracts.size()) {
      for (const auto& [ref, who] : kpis_read(sc->contracts[arm].terms)) {
        for (std::size_t y = 0; y < years.size(); ++y) {
          if (years[y].kpi.empty()) continue;
          const bool system = ref.scope == ct::KpiRef::Scope::kSystem;
          const double v = system ? years[y].kpi[ref.index] : years[y].service_kpi[ref.service * lg::kServiceKpis + ref.index];
          if (!std::isnan(v)) continue;
          const std::string name = std::string("kpi.") +
                                   std::string(system ? lg::system_kpis()[ref.index].name : lg::service_kpis()[ref.index].name);
          at(0, 0, name, "a row for year " + std::to_string(y + 1) + (system ? "" : " and service " + in_quotes(services[ref.service])) +
                             " (" + who + " reads it)", "none");
        }
      }
    }
  }
  if (!errors.empty()) {
    for (const Diagnostic& d : errors) std::fprintf(stderr, "mhsim: %s\n", d.to_string().c_str());
    std::fprintf(stderr, "mhsim: %zu error%s; nothing was written\n", errors.size(), errors.size() == 1 ? "" : "s");
    return kExitBadInput;
  }

  // ---- settle -----------------------------------------------------------------------------
  const std::size_t Y = years.size(), P = partners.size(), S = services.size();
  const ct::LedgerShape shape = ct::ledger_shape(sc->spec, sc->group_share);
  const analysis::ResolvedTerms resolved =
      analysis::resolve_terms(sc->spec, sc->contracts, std::vector<models::pathway::PathwayResult>{});
  const ct::Terms& terms = resolved.arms[arm];
  std::string partner_csv = "year,partner";
  for (const auto f : analysis::kPartnerPayoutFields) partner_csv += "," + std::string(f);
  partner_csv += "\n";
  std::string arm_csv = "year";
  for (const auto f : analysis::kArmPayoutFields) arm_csv += "," + std::string(f);
  arm_csv += "\n";
  std::vector<std::vector<std::string>> table = {{"year", "partner", "payment", "cost", "margin", "gain/pain"}};
  std::vector<double> spend(Y, 0);
  const std::vector<bool> paid = ct::paid_partners(terms, P);
  ct::YearInput input;
  ct::YearPayout pay;
  ct::AgreementState agreement;  // the ledger's years are the agreement's
  // Quarterly cash when the alliance is paid on account (contracts::quarterly_cash).
  const bool interim = ct::interim_alliance(terms) != nullptr;
  const std::size_t Q = interim ? ct::cash_quarters(terms, Y) : 0;
  std::vector<double> receipts(Q * P, 0.0), costs(Q * P, 0.0);
  // The settled rows as a run lays them out (one replication), for the cash position.
  std::vector<double> partner_rows(Y * P * analysis::kPartnerPayoutFieldCount), arm_rows(Y * analysis::kArmPayoutFieldCount);
  for (std::size_t y = 0; y < Y; ++y) {
    const Year& yr = years[y];
    input.year = static_cast<int>(y);
    input.service_partner = shape.service_partner;
    input.service_cost = yr.service_cost;
    input.service_activity = yr.activity;
    input.partner_activity.assign(P, std::array<double, ct::kMeasures>{});
    input.partner_cost.assign(P, 0.0);
    for (std::size_t s = 0; s < S; ++s) {
      const std::size_t p = shape.service_partner[s];
      if (p >= P) continue;
      input.partner_cost[p] += yr.service_cost[s];
      for (std::size_t m = 0; m < ct::kMeasures; ++m) input.partner_activity[p][m] += yr.activity[s][m];
    }
    for (std::size_t p = 0; p < P; ++p) {
      if (!std::isnan(yr.partner_cost[p])) input.partner_cost[p] = yr.partner_cost[p];
    }
    input.kpi = yr.kpi;
    input.service_kpi = yr.service_kpi;
    input.population = std::isnan(yr.population) ? shape.population : yr.population;
    input.group_share = shape.group_share;
    try {
      ct::settle_year(terms, input, y + 1 == Y, agreement, pay);
      if (interim) ct::quarterly_cash(terms, pay, y, receipts, costs);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "mhsim: settling year %zu: %s\nmhsim: nothing was written\n", y + 1, e.what());
      return kExitBadInput;
    }
    spend[y] = pay.commissioner_spend;
    const auto arm_f = analysis::arm_fields(pay);
    std::copy(arm_f.begin(), arm_f.end(), arm_rows.begin() + static_cast<std::ptrdiff_t>(y * arm_f.size()));
    for (std::size_t p = 0; p < P; ++p) {
      const auto f = analysis::partner_fields(pay.partners[p]);
      std::copy(f.begin(), f.end(), partner_rows.begin() + static_cast<std::ptrdiff_t>((y * P + p) * f.size()));
      partner_csv += std::to_string(y + 1) + "," + partners[p];
      for (const double v : f) partner_csv += "," + csv_number(v);
      partner_csv += "\n";
      if (paid[p]) {
        table.push_back({std::to_string(y + 1), partners[p], pounds(pay.partners[p].payment), pounds(pay.partners[p].cost),
                         pounds(pay.partners[p].margin), pounds(pay.partners[p].gain_pain)});
      }
    }
    arm_csv += std::to_string(y + 1);
    for (const double v : arm_f) arm_csv += "," + csv_number(v);
    arm_csv += "\n";
  }

  // Each partner's cash by quarter, and its cash position against its reserves (the
  // scenario's partners.<name>.reserves, else 0): the position report, compare and sweep
  // summarise (analysis::cash_positions), and its low point (the cash the partner must
  // carry until it is reconciled).
  std::string cash_csv = "quarter,partner,receipts,costs,net,cumulative,position\n";
  std::vector<std::vector<std::string>> cash_table = {{"partner", "reserves", "lowest cash position", "in quarter"}};
  std::vector<double> cash(Q * P * 2), position(Q);
  for (std::size_t i = 0; i < Q * P; ++i) {
    cash[2 * i] = receipts[i];
    cash[2 * i + 1] = costs[i];
  }
  const analysis::ArmPayoutRows rows{partner_rows.data(), arm_rows.data(), 1, Y, P, partner_rows.size(), arm_rows.size()};
  const analysis::ArmCashRows quarters{cash.data(), Q, cash.size()};
  for (std::size_t p = 0; p < P && interim; ++p) {
    const double reserve = p < sc->analysis.reserves.size() && !std::isnan(sc->analysis.reserves[p]) ? sc->analysis.reserves[p] : 0.0;
    analysis::cash_positions(rows, quarters, 0, p, reserve, Q, position.data());
    double cumulative = 0;
    for (std::size_t q = 0; q < Q; ++q) {
      const double net = receipts[q * P + p] - costs[q * P + p];
      cumulative += net;
      cash_csv += std::to_string(q + 1) + "," + partners[p] + "," + csv_number(receipts[q * P + p]) + "," +
                  csv_number(costs[q * P + p]) + "," + csv_number(net) + "," + csv_number(cumulative) + "," +
                  csv_number(position[q]) + "\n";
    }
    const analysis::CashLow low = analysis::cash_low(position.data(), Q, reserve);
    if (paid[p]) {
      cash_table.push_back({partners[p], pounds(reserve), pounds(low.lowest), low.quarter == 0 ? "-" : std::to_string(low.quarter)});
    }
  }
  if (!options.out.empty()) {
    try {
      analysis::OutputFiles files;  // all or nothing
      files.write(options.out + "/partner_payouts.csv", analysis::csv_file_text(partner_csv));
      files.write(options.out + "/arm_payouts.csv", analysis::csv_file_text(arm_csv));
      if (interim) files.write(options.out + "/cash.csv", analysis::csv_file_text(cash_csv));
      files.commit();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "mhsim: %s\nmhsim: nothing was written\n", e.what());
      return kExitFailure;
    }
  }
  std::printf("Settlement of arm \"%s\" (%s) on %s: %zu year%s\n", options.arm.c_str(), options.scenario.c_str(),
              options.ledger.c_str(), Y, Y == 1 ? "" : "s");
  print_table(table, 2);  // year and partner, then amounts right-aligned
  for (std::size_t y = 0; y < Y; ++y) std::printf("commissioner spend, year %zu: %s\n", y + 1, pounds(spend[y]).c_str());
  if (interim) {
    std::printf("Cash paid on account, reconciled %d quarter(s) after each year (costs spread evenly over the year); "
                "the position is the reserves plus the risk share's cash to date, other margin (fees) spent as it "
                "accrues:\n", static_cast<int>(Q - 4 * Y));
    print_table(cash_table, 1);
  }
  if (!options.out.empty()) {
    std::printf("%s/partner_payouts.csv, %s/arm_payouts.csv%s\n", options.out.c_str(), options.out.c_str(),
                interim ? (", " + options.out + "/cash.csv").c_str() : "");
  }
  return kExitOk;
}

}  // namespace mhsim::cli
