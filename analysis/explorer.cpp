// SPDX-License-Identifier: MIT
#include "analysis/explorer.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>
#include <variant>

#include <nlohmann/json.hpp>

#include "analysis/partner_risk.hpp"
#include "analysis/payout_fields.hpp"
#include "analysis/target_rule.hpp"
#include "analysis/text_format.hpp"
#include "models/contracts/pathway_ledger.hpp"
#include "models/scenario/keys.hpp"

namespace mhsim::analysis::explorer {
namespace {

namespace ct = models::contracts;
namespace lg = models::ledger;

using Json = nlohmann::ordered_json;

/// A number as the page reads it: null when NaN, "inf" or "-inf" when infinite (a limit not set).
Json number(double x) {
  if (std::isnan(x)) return nullptr;
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  return x;
}
Json optional(const std::optional<double>& v) { return v ? number(*v) : Json(nullptr); }

/// The document's text (nlohmann's escaping; bytes that are not UTF-8 become U+FFFD), safe to
/// inline in a script element, as the page does.
std::string text(const Json& j) { return script_safe_json(j.dump(-1, ' ', false, Json::error_handler_t::replace)); }

// The keys of an alliance's target rule: the explorer offers them by their short names
// (target, target_percentile, target_scale; set_contract_term's), one set per kind of rule.
bool target_rule_key(const std::string& term) {
  return term == "target" || term == "target_scale" || term == "target_percentile" || term.rfind("target.", 0) == 0;
}

bool same_rule(const ct::TargetRule* a, const ct::TargetRule* b) {
  if (a == nullptr || b == nullptr) return a == b;
  return a->kind == b->kind && a->amount == b->amount && a->arm == b->arm && a->percentile == b->percentile &&
         a->scale == b->scale;
}

}  // namespace

std::size_t ledger_record_size(std::size_t years, std::size_t partners, std::size_t services) {
  return years * (partners + 2 * services * lg::kMeasures + services + lg::kSystemKpis + services * lg::kServiceKpis);
}

std::vector<double> pack_ledgers(const std::vector<lg::PathwayResult>& results, std::size_t years, std::size_t partners,
                                 std::size_t services) {
  const std::size_t Y = years, P = partners, S = services, M = lg::kMeasures;
  std::vector<double> out;
  out.reserve(results.size() * (results.empty() ? 0 : results[0].arms.size()) * ledger_record_size(Y, P, S));
  const auto append = [&out](const std::vector<double>& v, std::size_t n) {
    if (v.size() < n) throw std::invalid_argument("explorer: a ledger dataset is shorter than the run's shape");
    out.insert(out.end(), v.begin(), v.begin() + static_cast<std::ptrdiff_t>(n));
  };
  for (const lg::PathwayResult& r : results) {
    for (const lg::ArmResult& a : r.arms) {
      append(a.partner_cost, Y * P);
      append(a.activity, Y * S * M);
      append(a.cost, Y * S * M);
      for (std::size_t y = 0; y < Y; ++y) {
        for (std::size_t s = 0; s < S; ++s) out.push_back(a.one_off_cost(y, s));
      }
      append(a.system, Y * lg::kSystemKpis);
      append(a.service, Y * S * lg::kServiceKpis);
    }
  }
  return out;
}

std::vector<double> pack_targets(const std::vector<ct::Terms>& resolved) {
  std::vector<double> out;
  for (const ct::Terms& t : resolved) {
    for (const ct::Contract& c : t.contracts) {
      if (const auto* al = std::get_if<ct::AllianceTerms>(&c.terms)) {
        out.push_back(al->target_cost);
        out.push_back(static_cast<double>(al->target_cost_by_year.size()));
        out.insert(out.end(), al->target_cost_by_year.begin(), al->target_cost_by_year.end());
      }
    }
  }
  return out;
}

Explorer::Explorer(const std::string& scenario_text, const std::string& scenario_file,
                   const std::vector<std::string>& settings, std::vector<double> ledgers, const std::vector<double>& targets,
                   Settings analysis)
    : base_(scenario::parse_pathway_scenario(scenario_text, scenario_file)), targets_(targets), settings_(std::move(analysis)) {
  if (!settings.empty()) base_ = scenario::apply_settings(base_, settings);
  const models::pathway::PathwaySpec& spec = base_.spec;
  A_ = spec.arms.size();
  Y_ = static_cast<std::size_t>(spec.years);
  P_ = spec.partners.size();
  const std::size_t S = spec.services.size(), record = ledger_record_size(Y_, P_, S);
  if (A_ == 0 || record == 0 || ledgers.size() % (A_ * record) != 0) {
    throw std::invalid_argument("explorer: the packed ledgers do not fit the scenario's arms, years, partners and services");
  }
  if (settings_.reserves.size() != P_) throw std::invalid_argument("explorer: one reserve per partner expected");
  if (settings_.horizon == 0 || settings_.horizon > Y_) settings_.horizon = Y_;
  R_ = ledgers.size() / (A_ * record);
  // The arm results that contracts::from_arm_result reads, then the inputs as sweep builds them.
  const ct::LedgerShape shape = ct::ledger_shape(spec, base_.group_share);
  const std::size_t M = lg::kMeasures;
  inputs_.resize(R_ * A_ * Y_);
  lg::ArmResult arm;
  arm.years = Y_;
  arm.services = S;
  arm.partners = P_;
  for (std::size_t r = 0; r < R_; ++r) {
    for (std::size_t a = 0; a < A_; ++a) {
      const double* p = ledgers.data() + (r * A_ + a) * record;
      const auto take = [&p](std::vector<double>& v, std::size_t n) {
        v.assign(p, p + n);
        p += n;
      };
      take(arm.partner_cost, Y_ * P_);
      take(arm.activity, Y_ * S * M);
      take(arm.cost, Y_ * S * M);
      take(arm.one_off, Y_ * S);
      take(arm.system, Y_ * lg::kSystemKpis);
      take(arm.service, Y_ * S * lg::kServiceKpis);
      for (std::size_t y = 0; y < Y_; ++y) ct::from_arm_result(shape, arm, y, inputs_[(r * A_ + a) * Y_ + y]);
    }
  }
}

std::vector<Control> Explorer::controls() const {
  std::vector<Control> out;
  const models::pathway::PathwaySpec& spec = base_.spec;
  const std::string prefix = "arms.<name>.contracts.";
  for (std::size_t a = 0; a < A_ && a < base_.contracts.size(); ++a) {
    for (const ct::Contract& c : base_.contracts[a].terms.contracts) {
      std::vector<std::string> kras;
      if (const auto* al = std::get_if<ct::AllianceTerms>(&c.terms)) {
        for (const ct::Kra& k : al->kras) kras.push_back(k.name);
      }
      const std::string head = "arms." + spec.arms[a].name + ".contracts." + c.name;
      for (const scenario::KeySpec& key : scenario::pathway_keys()) {
        if (key.path.rfind(prefix, 0) != 0 || key.vary != schema::Vary::kPolicy) continue;
        const bool numbers = key.type.rfind("array of numbers", 0) == 0;
        if (key.type.rfind("number", 0) != 0 && key.type.rfind("integer", 0) != 0 && !numbers) continue;
        const std::string rest = key.path.substr(prefix.size());
        if (target_rule_key(rest) || rest.find('<') != std::string::npos) continue;
        // Each step of the key names a table, an element of an array of tables (by partner,
        // by KRA name or by index) or the number itself.
        std::vector<std::string> steps;
        for (std::size_t from = 0;;) {
          const std::size_t dot = rest.find('.', from);
          steps.push_back(rest.substr(from, dot == std::string::npos ? std::string::npos : dot - from));
          if (dot == std::string::npos) break;
          from = dot + 1;
        }
        std::vector<std::string> paths = {head};
        for (std::size_t i = 0; i < steps.size(); ++i) {
          const bool last = i + 1 == steps.size();
          std::vector<std::string> next;
          for (const std::string& p : paths) {
            if (last && !numbers) {
              next.push_back(p + "." + steps[i]);
              continue;
            }
            // Members by partner and KRAs by name (as sweep's paths name them), other arrays
            // of tables (bands, tariffs, indicators, tiers) and arrays of numbers by index.
            if (!last && steps[i] == "members") {
              for (const auto& partner : spec.partners) next.push_back(p + ".members." + partner.name);
              continue;
            }
            if (!last && steps[i] == "kras") {
              for (const std::string& k : kras) next.push_back(p + ".kras." + k);
              continue;
            }
            if (!last) next.push_back(p + "." + steps[i]);
            for (std::size_t k = 0; k < 8; ++k) next.push_back(p + "." + steps[i] + "[" + std::to_string(k) + "]");
          }
          paths = std::move(next);
        }
        for (const std::string& path : paths) {
          const std::optional<double> v = scenario::contract_term_value(base_, path);
          if (!v || std::isnan(*v)) continue;
          if (std::any_of(out.begin(), out.end(), [&](const Control& x) { return x.key == path; })) continue;
          out.push_back(Control{path, spec.arms[a].name, c.name, path.substr(head.size() + 1), key.unit, *v});
        }
      }
      // The alliance's target: a fixed one in pounds, or the percentile and scale of the
      // reference arm's cost (re-resolved from the page's ledgers when they move).
      const auto* al = std::get_if<ct::AllianceTerms>(&c.terms);
      if (al == nullptr || !al->target_rule) continue;
      const bool fixed = al->target_rule->kind == ct::TargetRule::Kind::kFixed;
      const std::vector<std::pair<std::string, std::string>> rule_terms =
          fixed ? std::vector<std::pair<std::string, std::string>>{{"target", "pounds"}}
                : std::vector<std::pair<std::string, std::string>>{{"target_percentile", "percent"},
                                                                    {"target_scale", "x the reference cost"}};
      for (const auto& [term, unit] : rule_terms) {
        const std::optional<double> v = scenario::contract_term_value(base_, head + "." + term);
        if (v && !std::isnan(*v)) out.push_back(Control{head + "." + term, spec.arms[a].name, c.name, term, unit, *v});
      }
    }
  }
  for (std::size_t p = 0; p < P_; ++p) {
    const double r = settings_.reserves[p];
    out.push_back(Control{"partners." + spec.partners[p].name + ".reserves", "", "", "reserves", "pounds",
                          std::isnan(r) ? std::numeric_limits<double>::quiet_NaN() : r});
  }
  return out;
}

std::string Explorer::settle(const std::vector<std::string>& keys, const std::vector<double>& values) const {
  std::vector<std::string> problems;
  scenario::PathwayScenario sc = base_;
  std::vector<double> reserves = settings_.reserves;
  const models::pathway::PathwaySpec& spec = sc.spec;
  for (std::size_t i = 0; i < keys.size() && i < values.size(); ++i) {
    const std::string& key = keys[i];
    if (key.rfind("partners.", 0) == 0) {
      bool found = false;
      for (std::size_t p = 0; p < P_; ++p) {
        if (key == "partners." + spec.partners[p].name + ".reserves") {
          found = true;
          if (!(values[i] >= 0) || std::isinf(values[i])) problems.push_back(key + ": reserves are pounds >= 0");
          else reserves[p] = values[i];
        }
      }
      if (!found) problems.push_back(key + ": not a partner's reserves");
      continue;
    }
    if (auto problem = scenario::set_contract_term(sc, key, values[i])) problems.push_back(*problem);
  }
  for (std::size_t a = 0; a < A_ && problems.empty(); ++a) {
    for (const std::string& m : ct::check_terms(sc.contracts[a].terms, P_, spec.services.size())) {
      problems.push_back("arm " + spec.arms[a].name + ": " + m);
    }
  }
  Json doc;
  doc["problems"] = problems;
  doc["replications"] = R_;
  doc["horizon"] = settings_.horizon;
  doc["risk_level"] = number(settings_.risk_level);
  doc["arms"] = Json::array();
  if (!problems.empty()) return text(doc);
  const std::size_t PF = Y_ * P_ * kPartnerPayoutFieldCount, AF = Y_ * kArmPayoutFieldCount, H = settings_.horizon;
  const double* target = targets_.data();
  const double* const target_end = targets_.data() + targets_.size();
  std::vector<double> partner_rows, arm_rows, cash_rows, receipts, costs;
  ct::YearPayout pay;
  for (std::size_t a = 0; a < A_; ++a) {
    // The arm's terms with the targets mhsim resolved from the run's ledgers (resolve_terms).
    ct::Terms terms = sc.contracts[a].terms;
    for (ct::Contract& c : terms.contracts) {
      auto* al = std::get_if<ct::AllianceTerms>(&c.terms);
      if (al == nullptr) continue;
      if (target_end - target < 2) throw std::invalid_argument("explorer: fewer resolved targets than alliances");
      al->target_cost = target[0];
      const auto n = static_cast<std::size_t>(target[1]);
      target += 2;
      if (static_cast<std::size_t>(target_end - target) < n) throw std::invalid_argument("explorer: targets cut short");
      al->target_cost_by_year.assign(target, target + n);
      target += n;
      // A target rule the page moved is resolved again, as mhsim resolves it (resolve_terms).
      if (!same_rule(sc.contracts[a].target(), base_.contracts[a].target())) resolve_target(terms, *al);
    }
    if (terms.contracts.empty()) continue;
    // Every (replication, year) settled as mhsim sweep settles it (cli/sweep.cpp, settle_combination).
    const bool interim = ct::interim_alliance(terms) != nullptr;
    const std::size_t Q = interim ? ct::cash_quarters(terms, Y_) : 0;
    partner_rows.assign(R_ * PF, 0.0);
    arm_rows.assign(R_ * AF, 0.0);
    cash_rows.assign(R_ * Q * P_ * 2, 0.0);
    for (std::size_t r = 0; r < R_; ++r) {
      double* prow = &partner_rows[r * PF];
      double* arow = &arm_rows[r * AF];
      receipts.assign(Q * P_, 0.0);
      costs.assign(Q * P_, 0.0);
      ct::AgreementState agreement;
      for (std::size_t y = 0; y < Y_; ++y) {
        ct::settle_year(terms, inputs_[(r * A_ + a) * Y_ + y], y + 1 == Y_, agreement, pay);
        if (Q > 0) ct::quarterly_cash(terms, pay, y, receipts, costs);
        const auto arm_f = arm_fields(pay);
        std::copy(arm_f.begin(), arm_f.end(), arow + y * arm_f.size());
        for (std::size_t p = 0; p < P_; ++p) {
          const auto f = partner_fields(pay.partners[p]);
          std::copy(f.begin(), f.end(), prow + (y * P_ + p) * f.size());
        }
      }
      double* cash = cash_rows.data() + r * Q * P_ * 2;
      for (std::size_t i = 0; i < Q * P_; ++i) {
        cash[2 * i] = receipts[i];
        cash[2 * i + 1] = costs[i];
      }
    }
    const ArmPayoutRows rows{partner_rows.data(), arm_rows.data(), R_, Y_, P_, PF, AF};
    ArmCashRows cash;
    if (interim) cash = {cash_rows.data(), Q, Q * P_ * 2};
    const RiskRow k = commissioner_risk(rows, H, std::numeric_limits<double>::quiet_NaN(), settings_.risk_level);
    Json arm;
    arm["arm"] = spec.arms[a].name;
    arm["commissioner"] = Json{{"mean", number(k.mean_payment)}, {"var", number(k.var)}, {"es", number(k.es)},
                               {"q05", number(k.spend->q05)}, {"q50", number(k.spend->q50)}, {"q95", number(k.spend->q95)}};
    arm["partners"] = Json::array();
    for (std::size_t p = 0; p < P_; ++p) {
      const PartnerRisk risk = partner_risk(rows, p, H, sc.contracts[a].terms, reserves[p], settings_.risk_level, cash);
      if (!risk.takes_part) continue;
      const RiskRow& x = risk.row;
      Json partner;
      partner["partner"] = spec.partners[p].name;
      partner["mean_payment"] = number(x.mean_payment);
      partner["mean_margin"] = number(x.mean_margin);
      partner["mean_painshare"] = number(x.mean_painshare);
      partner["var"] = number(x.var);
      partner["es"] = number(x.es);
      partner["reserve"] = optional(x.reserve);
      partner["p_above_reserve"] = optional(x.p_above_reserve);
      partner["p_exhausted"] = optional(x.p_exhausted);
      partner["p_cap_binds"] = optional(x.p_cap_binds);
      Json gain_pain = Json::array();
      for (const double g : risk.gain_pain) gain_pain.push_back(number(g));
      partner["gain_pain"] = std::move(gain_pain);
      arm["partners"].push_back(std::move(partner));
    }
    doc["arms"].push_back(std::move(arm));
  }
  return text(doc);
}

void Explorer::resolve_target(const ct::Terms& terms, ct::AllianceTerms& al) const {
  const ct::TargetRule& rule = *al.target_rule;
  // Per year, the reference arm's cost in every replication of the members' partners (or of
  // the services the alliance covers, when a member also holds a contract scoped to services;
  // one-off costs included), as resolve_terms reads it from the results file.
  std::vector<std::vector<double>> cost;
  if (rule.kind != ct::TargetRule::Kind::kFixed) {
    std::vector<std::size_t> owner;
    for (const auto& s : base_.spec.services) owner.push_back(s.partner);
    const std::vector<bool> scope = ct::alliance_scope(terms, owner);
    const std::size_t ref = rule.arm;
    if (ref >= A_) throw std::invalid_argument("explorer: a target's reference arm is not an arm of the run");
    cost.assign(Y_, std::vector<double>(R_, 0.0));
    for (std::size_t y = 0; y < Y_; ++y) {
      for (std::size_t r = 0; r < R_; ++r) {
        const ct::YearInput& in = inputs_[(r * A_ + ref) * Y_ + y];
        double c = 0;
        if (scope.empty()) {
          for (const ct::AllianceMember& m : al.members) c += in.partner_cost[m.partner];
        } else {
          for (std::size_t s = 0; s < scope.size(); ++s) c += scope[s] ? in.service_cost[s] : 0.0;
        }
        cost[y][r] = c;
      }
    }
  }
  apply_target_rule(rule, cost, al);
}

std::string controls_json(const std::vector<Control>& controls) {
  Json out = Json::array();
  for (const Control& c : controls) {
    out.push_back(Json{{"key", c.key}, {"arm", c.arm}, {"contract", c.contract}, {"term", c.term}, {"unit", c.unit},
                       {"value", number(c.value)}});
  }
  return text(out);
}

}  // namespace mhsim::analysis::explorer
