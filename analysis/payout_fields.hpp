// SPDX-License-Identifier: MIT
#pragma once
// The fields of the payouts datasets (payouts/partner, payouts/arm) and the rows settlement
// fills in them: the one declaration that the writer, the readers, the labels and the
// report's explorer (compiled to WebAssembly: no HDF5 here) use.

#include <array>
#include <cstddef>
#include <string_view>

#include "models/contracts/settlement.hpp"

namespace mhsim::analysis {

/// Fields of payouts/partner [R, A, Y, P, F], in dataset order: the one declaration that the
/// writer, the readers (report, run and sweep summaries) and the labels use.
enum class PartnerField : std::size_t { kPayment, kCost, kMargin, kLimb1, kLimb2, kGainPain, kCappedAmount, kCount };
inline constexpr std::size_t kPartnerPayoutFieldCount = static_cast<std::size_t>(PartnerField::kCount);
inline constexpr std::array<std::string_view, kPartnerPayoutFieldCount> kPartnerPayoutFields = {
    "payment", "cost", "margin", "limb1", "limb2", "gain_pain", "capped_amount"};
/// One partner's year in PartnerField order.
std::array<double, kPartnerPayoutFieldCount> partner_fields(const models::contracts::PartnerPayout& q);

/// Fields of payouts/arm [R, A, Y, G], in dataset order (flags are 0 or 1).
enum class ArmField : std::size_t {
  kCommissionerSpend, kTarget, kActual, kFeeTotal, kUnderrun, kProvidersShare, kCommissionerResidual,
  kKraComponent, kLimb3, kCapShortfall, kKpiReturn, kGatePassed, kPainCapBinds, kGainCapBinds, kCount
};
inline constexpr std::size_t kArmPayoutFieldCount = static_cast<std::size_t>(ArmField::kCount);
inline constexpr std::array<std::string_view, kArmPayoutFieldCount> kArmPayoutFields = {
    "commissioner_spend", "target", "actual", "fee_total", "underrun", "providers_share", "commissioner_residual",
    "kra_component", "limb3", "cap_shortfall", "kpi_return", "gate_passed", "pain_cap_binds", "gain_cap_binds"};
/// One arm's year in ArmField order.
std::array<double, kArmPayoutFieldCount> arm_fields(const models::contracts::YearPayout& pay);

/// Field `f` of a row laid out in PartnerField or ArmField order.
inline double field(const double* row, PartnerField f) { return row[static_cast<std::size_t>(f)]; }
inline double field(const double* row, ArmField f) { return row[static_cast<std::size_t>(f)]; }

}  // namespace mhsim::analysis
