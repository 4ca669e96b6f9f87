// SPDX-License-Identifier: MIT
#include "analysis/payout_results.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <variant>

#include "analysis/decision.hpp"
#include "analysis/merge.hpp"
#include "analysis/pathway_results.hpp"

namespace mhsim::analysis {

namespace pw = models::pathway;
namespace ct = models::contracts;

namespace {

constexpr std::uint64_t kSlab = 256;

const ct::AllianceTerms* alliance_of(const ct::Terms& t) {
  for (const ct::Contract& c : t.contracts) {
    if (const auto* a = std::get_if<ct::AllianceTerms>(&c.terms)) return a;
  }
  return nullptr;
}
ct::AllianceTerms* alliance_of(ct::Terms& t) {
  for (ct::Contract& c : t.contracts) {
    if (auto* a = std::get_if<ct::AllianceTerms>(&c.terms)) return a;
  }
  return nullptr;
}

std::size_t max_kras(const std::vector<ct::ArmContracts>& contracts) {
  std::size_t k = 0;
  for (const ct::ArmContracts& a : contracts) {
    if (const ct::AllianceTerms* al = alliance_of(a.terms)) k = std::max(k, al->kras.size());
  }
  return k;
}


}  // namespace

bool has_contracts(const std::vector<ct::ArmContracts>& contracts) {
  for (const ct::ArmContracts& a : contracts) {
    if (!a.terms.contracts.empty()) return true;
  }
  return false;
}

namespace {

// Resolves the targets of every arm; `reference_costs(arm, members)` returns, per year, the
// reference arm's cost of those partners in every replication.
template <class CostsOf>
ResolvedTerms resolve_with(const pw::PathwaySpec& spec, const std::vector<ct::ArmContracts>& contracts,
                           const CostsOf& reference_costs) {
  ResolvedTerms out;
  const std::size_t years = static_cast<std::size_t>(spec.years);
  for (std::size_t a = 0; a < contracts.size(); ++a) {
    ct::Terms terms = contracts[a].terms;
    ct::AllianceTerms* alliance = alliance_of(terms);
    if (alliance != nullptr && contracts[a].target() != nullptr) {
      const ct::TargetRule& rule = *contracts[a].target();
      if (rule.kind == ct::TargetRule::Kind::kFixed) {
        alliance->target_cost = rule.amount;
      } else {
        std::vector<std::size_t> members;
        for (const ct::AllianceMember& m : alliance->members) members.push_back(m.partner);
        const std::vector<std::vector<double>> cost = reference_costs(rule.arm, members);
        alliance->target_cost_by_year.clear();
        for (std::size_t y = 0; y < years; ++y) {
          alliance->target_cost_by_year.push_back(rule.scale * decision::quantile(cost[y], rule.percentile / 100.0));  // type 7
        }
        alliance->target_cost = alliance->target_cost_by_year.empty() ? 0.0 : alliance->target_cost_by_year.front();
      }
    }
    out.arms.push_back(std::move(terms));
  }
  return out;
}

}  // namespace

ResolvedTerms resolve_terms(const pw::PathwaySpec& spec, const std::vector<ct::ArmContracts>& contracts,
                            const std::vector<std::string>& inputs) {
  const std::size_t years = static_cast<std::size_t>(spec.years), P = spec.partners.size();
  return resolve_with(spec, contracts, [&](std::size_t ref, const std::vector<std::size_t>& members) {
    std::vector<std::vector<double>> cost(years);
    for (const std::string& path : inputs) {
      const ResultsReader file(path);
      const std::uint64_t rows = file.shape("ledger/partner_cost").at(0);
      const std::size_t A = static_cast<std::size_t>(file.shape("ledger/partner_cost").at(1));
      for (std::uint64_t first = 0; first < rows; first += kSlab) {
        const std::uint64_t n = std::min(kSlab, rows - first);
        const std::vector<unsigned char> bytes = file.raw_rows("ledger/partner_cost", first, n);
        std::vector<double> v(bytes.size() / sizeof(double));
        if (!v.empty()) std::memcpy(v.data(), bytes.data(), v.size() * sizeof(double));
        for (std::uint64_t r = 0; r < n; ++r) {
          for (std::size_t y = 0; y < years; ++y) {
            double c = 0;
            for (const std::size_t p : members) c += v[((static_cast<std::size_t>(r) * A + ref) * years + y) * P + p];
            cost[y].push_back(c);
          }
        }
      }
    }
    return cost;
  });
}

ResolvedTerms resolve_terms(const pw::PathwaySpec& spec, const std::vector<ct::ArmContracts>& contracts,
                            const std::vector<pw::PathwayResult>& results) {
  const std::size_t years = static_cast<std::size_t>(spec.years), P = spec.partners.size();
  return resolve_with(spec, contracts, [&](std::size_t ref, const std::vector<std::size_t>& members) {
    std::vector<std::vector<double>> cost(years);
    for (const pw::PathwayResult& r : results) {
      for (std::size_t y = 0; y < years; ++y) {
        double c = 0;
        for (const std::size_t p : members) c += r.arms[ref].partner_cost[y * P + p];
        cost[y].push_back(c);
      }
    }
    return cost;
  });
}

void define_payout_datasets(ResultsWriter& out, const pw::PathwaySpec& spec,
                            const std::vector<ct::ArmContracts>& contracts) {
  const auto A = static_cast<std::uint64_t>(spec.arms.size()), Y = static_cast<std::uint64_t>(spec.years),
             P = static_cast<std::uint64_t>(spec.partners.size());
  out.labels("payouts/partner_field",
             std::vector<std::string>(std::begin(kPartnerPayoutFields), std::end(kPartnerPayoutFields)));
  out.labels("payouts/arm_field", std::vector<std::string>(std::begin(kArmPayoutFields), std::end(kArmPayoutFields)));
  out.define_shape("payouts/partner", ResultsWriter::Type::kFloat64, {A, Y, P, kPartnerPayoutFieldCount});
  out.define_shape("payouts/arm", ResultsWriter::Type::kFloat64, {A, Y, kArmPayoutFieldCount});
  const std::size_t K = max_kras(contracts);
  if (K > 0) {
    std::vector<std::string> names;
    for (std::size_t a = 0; a < spec.arms.size(); ++a) {
      const ct::AllianceTerms* al = a < contracts.size() ? alliance_of(contracts[a].terms) : nullptr;
      for (std::size_t k = 0; k < K; ++k) {
        names.push_back(al != nullptr && k < al->kras.size() ? spec.arms[a].name + "/" + al->kras[k].name : "");
      }
    }
    out.labels("payouts/kra_name", names);
    out.define_shape("payouts/kra_band", ResultsWriter::Type::kFloat64, {A, Y, static_cast<std::uint64_t>(K)});
  }
}

void write_payouts(ResultsWriter& out, const pw::PathwaySpec& spec, const std::vector<ct::ArmContracts>& contracts,
                   const ResolvedTerms& terms, const std::vector<std::string>& inputs,
                   const std::vector<double>& group_share) {
  const std::size_t A = spec.arms.size(), Y = static_cast<std::size_t>(spec.years), P = spec.partners.size();
  const std::size_t K = max_kras(contracts);
  std::vector<double> partner_row(A * Y * P * kPartnerPayoutFieldCount), arm_row(A * Y * kArmPayoutFieldCount),
      kra_row(A * Y * K);
  ct::YearInput in;
  ct::YearPayout pay;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (const std::string& path : inputs) {
    const ResultsReader file(path);
    const std::uint64_t first_rep = file.has_attribute(kFirstReplication) ? file.uint_attribute(kFirstReplication) : 0;
    const std::uint64_t rows = file.shape("ledger/cost").at(0);
    for (std::uint64_t first = 0; first < rows; first += kSlab) {
      const std::uint64_t n = std::min(kSlab, rows - first);
      const std::vector<pw::PathwayResult> results = read_pathway_results(file, first, n);
      for (std::uint64_t i = 0; i < n; ++i) {
        const std::uint64_t rep = first_rep + first + i;
        std::fill(partner_row.begin(), partner_row.end(), 0.0);
        std::fill(arm_row.begin(), arm_row.end(), nan);
        std::fill(kra_row.begin(), kra_row.end(), nan);
        for (std::size_t a = 0; a < A; ++a) {
          if (a >= terms.arms.size() || terms.arms[a].contracts.empty()) continue;
          for (std::size_t y = 0; y < Y; ++y) {
            ct::from_arm_result(spec, results[i].arms[a], y, in);
            in.group_share = group_share;
            ct::settle(terms.arms[a], in, pay);
            double sum = 0;
            for (std::size_t p = 0; p < P; ++p) {
              const ct::PartnerPayout& q = pay.partners[p];
              const double fields[kPartnerPayoutFieldCount] = {q.payment, q.cost,      q.margin,       q.limb1,
                                                               q.limb2,   q.gain_pain, q.capped_amount};
              std::copy(std::begin(fields), std::end(fields),
                        partner_row.begin() + static_cast<std::ptrdiff_t>(((a * Y + y) * P + p) * kPartnerPayoutFieldCount));
              sum += q.payment;
            }
            const std::string where = "replication " + std::to_string(rep) + ", arm \"" + spec.arms[a].name +
                                      "\", year " + std::to_string(y + 1);
            if (sum != pay.commissioner_spend) {
              throw std::runtime_error("settlement: commissioner spend " + std::to_string(pay.commissioner_spend) +
                                       " != sum of payments " + std::to_string(sum) + " (" + where + ")");
            }
            const double balance = pay.providers_share + pay.commissioner_residual - pay.underrun;
            if (std::fabs(balance) > 1e-9 * std::max(1.0, std::fabs(pay.underrun))) {
              throw std::runtime_error("settlement: providers' share + commissioner residual != underrun (" + where + ")");
            }
            const double fields[kArmPayoutFieldCount] = {
                pay.commissioner_spend, pay.target, pay.actual, pay.fee_total, pay.underrun, pay.providers_share,
                pay.commissioner_residual, pay.kra_component, pay.limb3, pay.cap_shortfall, pay.kpi_return,
                pay.gate_passed ? 1.0 : 0.0, pay.pain_cap_binds ? 1.0 : 0.0, pay.gain_cap_binds ? 1.0 : 0.0};
            std::copy(std::begin(fields), std::end(fields),
                      arm_row.begin() + static_cast<std::ptrdiff_t>((a * Y + y) * kArmPayoutFieldCount));
            for (std::size_t k = 0; k < pay.kras.size() && k < K; ++k) {
              kra_row[(a * Y + y) * K + k] = static_cast<double>(pay.kras[k].band);
            }
          }
        }
        out.write("payouts/partner", rep, partner_row.data());
        out.write("payouts/arm", rep, arm_row.data());
        if (K > 0) out.write("payouts/kra_band", rep, kra_row.data());
      }
    }
  }
}

}  // namespace mhsim::analysis
