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
#include "analysis/target_rule.hpp"
#include "models/contracts/pathway_ledger.hpp"

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

// The services the arm's alliance covers (contracts::alliance_scope), by the spec's owners.
std::vector<bool> alliance_scope(const pw::PathwaySpec& spec, const ct::Terms& terms) {
  std::vector<std::size_t> owner;
  for (const auto& s : spec.services) owner.push_back(s.partner);
  return ct::alliance_scope(terms, owner);
}

// Resolves the targets of every arm; `reference_costs(arm, members, services)` returns, per
// year, the reference arm's cost of those partners (or, when `services` is not empty, of
// those services) in every replication.
template <class CostsOf>
ResolvedTerms resolve_with(const pw::PathwaySpec& spec, const std::vector<ct::ArmContracts>& contracts,
                           const CostsOf& reference_costs) {
  ResolvedTerms out;
  const std::size_t years = static_cast<std::size_t>(spec.years);
  for (std::size_t a = 0; a < contracts.size(); ++a) {
    ct::Terms terms = contracts[a].terms;
    ct::AllianceTerms* alliance = alliance_of(terms);
    const ct::TargetRule* target = contracts[a].target();
    if (alliance != nullptr && target != nullptr) {
      const ct::TargetRule& rule = *target;
      std::vector<std::vector<double>> cost;  // per year, the reference arm's cost in every replication
      if (rule.kind != ct::TargetRule::Kind::kFixed) {
        std::vector<std::size_t> members;
        for (const ct::AllianceMember& m : alliance->members) members.push_back(m.partner);
        cost = reference_costs(rule.arm, members, alliance_scope(spec, terms));
        cost.resize(years);
      }
      apply_target_rule(rule, cost, *alliance);
    }
    out.arms.push_back(std::move(terms));
  }
  return out;
}

}  // namespace

ResolvedTerms resolve_terms(const pw::PathwaySpec& spec, const std::vector<ct::ArmContracts>& contracts,
                            const std::vector<std::string>& inputs) {
  const std::size_t years = static_cast<std::size_t>(spec.years), P = spec.partners.size(), S = spec.services.size();
  return resolve_with(spec, contracts, [&](std::size_t ref, const std::vector<std::size_t>& members,
                                           const std::vector<bool>& services) {
    // ledger/partner_cost [replication][arm][year][partner], or with services ledger/cost
    // [replication][arm][year][service][measure]: the reference arm's cost, per year.
    const bool by_service = !services.empty();
    const std::string dataset = by_service ? "ledger/cost" : "ledger/partner_cost";
    const std::size_t width = by_service ? S * ct::kMeasures : P;
    std::vector<std::vector<double>> cost(years);
    for (const std::string& path : inputs) {
      const ResultsReader file(path);
      const std::vector<std::string> names = by_service ? file.datasets() : std::vector<std::string>{};
      const bool has_one_off = std::find(names.begin(), names.end(), kOneOffDataset) != names.end();
      const std::uint64_t rows = file.shape_at_least(dataset, 2).at(0);
      const std::size_t A = static_cast<std::size_t>(file.shape_at_least(dataset, 2).at(1));
      for (std::uint64_t first = 0; first < rows; first += kSlab) {
        const std::uint64_t n = std::min(kSlab, rows - first);
        const std::vector<unsigned char> bytes = file.raw_rows(dataset, first, n);
        std::vector<double> v(bytes.size() / sizeof(double));
        if (!v.empty()) std::memcpy(v.data(), bytes.data(), v.size() * sizeof(double));
        // One-off costs (ledger/one_off [R, A, Y, S], when the run had any) are part of a
        // service's cost, as ledger/partner_cost already counts them.
        std::vector<double> one_off;
        if (has_one_off) {
          const std::vector<unsigned char> b = file.raw_rows(kOneOffDataset, first, n);
          one_off.resize(b.size() / sizeof(double));
          if (!one_off.empty()) std::memcpy(one_off.data(), b.data(), one_off.size() * sizeof(double));
        }
        for (std::uint64_t r = 0; r < n; ++r) {
          for (std::size_t y = 0; y < years; ++y) {
            const double* row = &v[((static_cast<std::size_t>(r) * A + ref) * years + y) * width];
            double c = 0;
            if (by_service) {
              for (std::size_t s = 0; s < S; ++s) {
                if (!services[s]) continue;
                for (std::size_t m = 0; m < ct::kMeasures; ++m) c += row[s * ct::kMeasures + m];
                if (!one_off.empty()) c += one_off[((static_cast<std::size_t>(r) * A + ref) * years + y) * S + s];
              }
            } else {
              for (const std::size_t p : members) c += row[p];
            }
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
  const std::size_t years = static_cast<std::size_t>(spec.years), P = spec.partners.size(), S = spec.services.size();
  return resolve_with(spec, contracts, [&](std::size_t ref, const std::vector<std::size_t>& members,
                                           const std::vector<bool>& services) {
    std::vector<std::vector<double>> cost(years);
    for (const pw::PathwayResult& r : results) {
      for (std::size_t y = 0; y < years; ++y) {
        double c = 0;
        for (std::size_t s = 0; s < S && !services.empty(); ++s) {
          if (!services[s]) continue;
          for (std::size_t m = 0; m < ct::kMeasures; ++m) c += r.arms[ref].cst(y, s, static_cast<ct::Measure>(m));
          c += r.arms[ref].one_off_cost(y, s);
        }
        if (!services.empty()) {
          cost[y].push_back(c);
          continue;
        }
        for (const std::size_t p : members) c += r.arms[ref].partner_cost[y * P + p];
        cost[y].push_back(c);
      }
    }
    return cost;
  });
}

std::size_t cash_quarters(const pw::PathwaySpec& spec, const std::vector<ct::ArmContracts>& contracts) {
  const auto Y = static_cast<std::size_t>(spec.years);
  std::size_t Q = 0;
  for (const ct::ArmContracts& c : contracts) {
    if (ct::interim_alliance(c.terms) != nullptr) Q = std::max(Q, ct::cash_quarters(c.terms, Y));
  }
  return Q;
}

void define_payout_datasets(ResultsWriter& out, const pw::PathwaySpec& spec,
                            const std::vector<ct::ArmContracts>& contracts, const std::vector<std::string>& commissioners) {
  const auto A = static_cast<std::uint64_t>(spec.arms.size()), Y = static_cast<std::uint64_t>(spec.years),
             P = static_cast<std::uint64_t>(spec.partners.size());
  out.labels("payouts/partner_field", std::vector<std::string>(kPartnerPayoutFields.begin(), kPartnerPayoutFields.end()));
  out.labels("payouts/arm_field", std::vector<std::string>(kArmPayoutFields.begin(), kArmPayoutFields.end()));
  out.define_shape("payouts/partner", ResultsWriter::Type::kFloat64, {A, Y, P, kPartnerPayoutFieldCount});
  out.define_shape("payouts/arm", ResultsWriter::Type::kFloat64, {A, Y, kArmPayoutFieldCount});
  const std::size_t K = max_kras(contracts);
  if (K > 0) {
    std::vector<std::string> names;
    for (std::size_t a = 0; a < spec.arms.size(); ++a) {
      const ct::AllianceTerms* al = a < contracts.size() ? alliance_of(contracts[a].terms) : nullptr;
      for (std::size_t k = 0; k < K; ++k) {
        names.push_back(al != nullptr && k < al->kras.size() ? al->kras[k].name : "");
      }
    }
    // [arm, kra]: arm a's k-th key result area ("" where the arm has fewer). Files before
    // issue 20 held it flattened as "<arm>/<kra>" (read_kra_names reads both).
    out.labels("payouts/kra_name", names, {A, static_cast<std::uint64_t>(K)});
    out.define_shape("payouts/kra_band", ResultsWriter::Type::kFloat64, {A, Y, static_cast<std::uint64_t>(K)});
  }
  if (const std::uint64_t Q = cash_quarters(spec, contracts); Q > 0) {
    out.define_shape("payouts/cash", ResultsWriter::Type::kFloat64, {A, Q, P, 2});
  }
  if (!commissioners.empty()) {
    out.labels("payouts/commissioner_name", commissioners);
    out.define_shape("payouts/commissioner", ResultsWriter::Type::kFloat64,
                     {A, Y, static_cast<std::uint64_t>(commissioners.size())});
  }
}

void write_payouts(ResultsWriter& out, const pw::PathwaySpec& spec, const std::vector<ct::ArmContracts>& contracts,
                   const ResolvedTerms& terms, const std::vector<std::string>& inputs,
                   const std::vector<double>& group_share, const std::vector<std::string>& commissioners) {
  const std::size_t A = spec.arms.size(), Y = static_cast<std::size_t>(spec.years), P = spec.partners.size();
  const std::size_t K = max_kras(contracts), C = commissioners.size();
  std::vector<double> partner_row(A * Y * P * kPartnerPayoutFieldCount), arm_row(A * Y * kArmPayoutFieldCount),
      kra_row(A * Y * K), commissioner_row(A * Y * C);
  const std::size_t Q = cash_quarters(spec, contracts);
  std::vector<double> cash_row(A * Q * P * 2), receipts(Q * P), costs(Q * P);
  const ct::LedgerShape shape = ct::ledger_shape(spec, group_share);
  ct::YearInput in;
  ct::YearPayout pay;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (const std::string& path : inputs) {
    const ResultsReader file(path);
    const std::uint64_t first_rep = file.has_attribute(kFirstReplication) ? file.uint_attribute(kFirstReplication) : 0;
    const std::uint64_t rows = file.shape_at_least("ledger/cost", 1).at(0);
    for (std::uint64_t first = 0; first < rows; first += kSlab) {
      const std::uint64_t n = std::min(kSlab, rows - first);
      const std::vector<pw::PathwayResult> results = read_pathway_results(file, first, n);
      for (std::uint64_t i = 0; i < n; ++i) {
        const std::uint64_t rep = first_rep + first + i;
        std::fill(partner_row.begin(), partner_row.end(), 0.0);
        std::fill(arm_row.begin(), arm_row.end(), nan);
        std::fill(kra_row.begin(), kra_row.end(), nan);
        std::fill(commissioner_row.begin(), commissioner_row.end(), nan);
        std::fill(cash_row.begin(), cash_row.end(), 0.0);
        for (std::size_t a = 0; a < A; ++a) {
          if (a >= terms.arms.size() || terms.arms[a].contracts.empty()) continue;
          ct::AgreementState agreement;  // the run's years are the agreement's
          std::fill(receipts.begin(), receipts.end(), 0.0);
          std::fill(costs.begin(), costs.end(), 0.0);
          for (std::size_t y = 0; y < Y; ++y) {
            ct::from_arm_result(shape, results[i].arms[a], y, in);
            ct::settle_year(terms.arms[a], in, y + 1 == Y, agreement, pay);
            if (Q > 0) ct::quarterly_cash(terms.arms[a], pay, y, receipts, costs);
            double sum = 0;
            for (std::size_t p = 0; p < P; ++p) {
              const ct::PartnerPayout& q = pay.partners[p];
              const auto fields = partner_fields(q);
              std::copy(fields.begin(), fields.end(),
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
            const auto fields = arm_fields(pay);
            std::copy(fields.begin(), fields.end(),
                      arm_row.begin() + static_cast<std::ptrdiff_t>((a * Y + y) * kArmPayoutFieldCount));
            for (std::size_t k = 0; k < pay.kras.size() && k < K; ++k) {
              kra_row[(a * Y + y) * K + k] = static_cast<double>(pay.kras[k].band);
            }
            if (C > 0) {
              double split = 0;
              for (std::size_t k = 0; k < C; ++k) {
                const double v = k < pay.commissioner.size() ? pay.commissioner[k] : 0.0;
                commissioner_row[(a * Y + y) * C + k] = v;
                split += v;
              }
              if (std::fabs(split - pay.commissioner_spend) > 1e-9 * std::max(1.0, std::fabs(pay.commissioner_spend))) {
                throw std::runtime_error("settlement: the commissioners' spends add to " + std::to_string(split) +
                                         ", not the commissioner spend " + std::to_string(pay.commissioner_spend) +
                                         " (" + where + ")");
              }
            }
          }
          for (std::size_t q = 0; q < Q; ++q) {
            for (std::size_t p = 0; p < P; ++p) {
              cash_row[((a * Q + q) * P + p) * 2] = receipts[q * P + p];
              cash_row[((a * Q + q) * P + p) * 2 + 1] = costs[q * P + p];
            }
          }
        }
        if (Q > 0) out.write("payouts/cash", rep, cash_row.data());
        out.write("payouts/partner", rep, partner_row.data());
        out.write("payouts/arm", rep, arm_row.data());
        if (K > 0) out.write("payouts/kra_band", rep, kra_row.data());
        if (C > 0) out.write("payouts/commissioner", rep, commissioner_row.data());
      }
    }
  }
}

PayoutSummariser::PayoutSummariser(std::size_t arms, std::size_t years, std::size_t partners)
    : A_(arms), Y_(years), P_(partners), partner_(arms), arm_(arms) {}

void PayoutSummariser::add(std::size_t arm, const double* partner_rows, const double* arm_rows) {
  partner_.at(arm).insert(partner_[arm].end(), partner_rows, partner_rows + Y_ * P_ * kPartnerPayoutFieldCount);
  arm_.at(arm).insert(arm_[arm].end(), arm_rows, arm_rows + Y_ * kArmPayoutFieldCount);
}

void PayoutSummariser::reserve(std::size_t replications) {
  for (std::size_t a = 0; a < A_; ++a) {
    partner_[a].reserve(replications * Y_ * P_ * kPartnerPayoutFieldCount);
    arm_[a].reserve(replications * Y_ * kArmPayoutFieldCount);
  }
}

std::vector<ArmPayoutSummary> PayoutSummariser::summaries() const {
  constexpr std::size_t F = kPartnerPayoutFieldCount, G = kArmPayoutFieldCount;
  std::vector<ArmPayoutSummary> out(A_);
  for (std::size_t a = 0; a < A_; ++a) {
    const std::size_t R = arm_[a].size() / (Y_ * G);
    ArmPayoutSummary& s = out[a];
    // An arm without contracts has NaN arm rows (write_payouts): nothing was settled.
    s.settled = R > 0 && Y_ > 0 && !std::isnan(field(&arm_[a][0], ArmField::kCommissionerSpend));
    if (!s.settled) continue;
    const double years_total = static_cast<double>(R * Y_);
    engine::Tally spend;
    double binds = 0;
    for (std::size_t r = 0; r < R; ++r) {
      double rs = 0;
      for (std::size_t y = 0; y < Y_; ++y) {
        const double* row = &arm_[a][(r * Y_ + y) * G];
        rs += field(row, ArmField::kCommissionerSpend);
        binds += field(row, ArmField::kPainCapBinds) > 0.5 ? 1.0 : 0.0;
      }
      spend.add(rs / static_cast<double>(Y_));
    }
    s.commissioner_spend = mean_interval(spend);
    s.p_pain_cap_binds = binds / years_total;
    s.partners.resize(P_);
    for (std::size_t p = 0; p < P_; ++p) {
      PartnerPayoutSummary& q = s.partners[p];
      engine::Tally pay, margin, gp;
      std::vector<double> yearly_gp;
      yearly_gp.reserve(R * Y_);
      double pain = 0;
      for (std::size_t r = 0; r < R; ++r) {
        double rp = 0, rm = 0, rg = 0;
        for (std::size_t y = 0; y < Y_; ++y) {
          const double* row = &partner_[a][((r * Y_ + y) * P_ + p) * F];
          q.in_contract = q.in_contract || field(row, PartnerField::kPayment) != 0 ||
                          field(row, PartnerField::kMargin) != 0 || field(row, PartnerField::kGainPain) != 0;
          rp += field(row, PartnerField::kPayment);
          rm += field(row, PartnerField::kMargin);
          const double g = field(row, PartnerField::kGainPain);
          rg += g;
          yearly_gp.push_back(g);
          pain += g < 0 ? 1.0 : 0.0;
        }
        // Replications are the independent observations: each contributes its yearly mean.
        pay.add(rp / static_cast<double>(Y_));
        margin.add(rm / static_cast<double>(Y_));
        gp.add(rg / static_cast<double>(Y_));
      }
      q.payment = mean_interval(pay);
      q.margin = mean_interval(margin);
      q.gain_pain = mean_interval(gp);
      q.p_pain = pain / years_total;
      q.p5_gain_pain = decision::quantile(std::move(yearly_gp), 0.05);
    }
  }
  return out;
}

std::vector<ArmPayoutSummary> summarise_payouts(const ResultsReader& file) {
  const std::vector<std::uint64_t> shape = file.shape("payouts/partner");  // R, A, Y, P, F
  const std::vector<std::uint64_t> arm_shape = file.shape("payouts/arm");  // R, A, Y, G
  if (shape.size() != 5 || shape[4] != kPartnerPayoutFieldCount || arm_shape.size() != 4 ||
      arm_shape[3] != kArmPayoutFieldCount || arm_shape[0] != shape[0] || arm_shape[1] != shape[1] ||
      arm_shape[2] != shape[2]) {
    throw std::runtime_error("payouts/partner and payouts/arm do not have the shapes this build writes ([R, A, Y, P, " +
                             std::to_string(kPartnerPayoutFieldCount) + "] and [R, A, Y, " +
                             std::to_string(kArmPayoutFieldCount) + "])");
  }
  const std::size_t R = static_cast<std::size_t>(shape[0]), A = static_cast<std::size_t>(shape[1]),
                    Y = static_cast<std::size_t>(shape[2]), P = static_cast<std::size_t>(shape[3]);
  const std::vector<double> partner = file.read_double("payouts/partner");
  const std::vector<double> arm = file.read_double("payouts/arm");
  PayoutSummariser s(A, Y, P);
  for (std::size_t r = 0; r < R; ++r) {
    for (std::size_t a = 0; a < A; ++a) {
      s.add(a, &partner[(r * A + a) * Y * P * kPartnerPayoutFieldCount], &arm[(r * A + a) * Y * kArmPayoutFieldCount]);
    }
  }
  return s.summaries();
}

}  // namespace mhsim::analysis
