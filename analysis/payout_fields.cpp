// SPDX-License-Identifier: MIT
#include "analysis/payout_fields.hpp"

namespace mhsim::analysis {

namespace ct = models::contracts;

std::array<double, kPartnerPayoutFieldCount> partner_fields(const ct::PartnerPayout& q) {
  std::array<double, kPartnerPayoutFieldCount> f{};
  const auto set = [&f](PartnerField k, double v) { f[static_cast<std::size_t>(k)] = v; };
  set(PartnerField::kPayment, q.payment);
  set(PartnerField::kCost, q.cost);
  set(PartnerField::kMargin, q.margin);
  set(PartnerField::kLimb1, q.limb1);
  set(PartnerField::kLimb2, q.limb2);
  set(PartnerField::kGainPain, q.gain_pain);
  set(PartnerField::kCappedAmount, q.capped_amount);
  return f;
}

std::array<double, kArmPayoutFieldCount> arm_fields(const ct::YearPayout& pay) {
  std::array<double, kArmPayoutFieldCount> f{};
  const auto set = [&f](ArmField k, double v) { f[static_cast<std::size_t>(k)] = v; };
  set(ArmField::kCommissionerSpend, pay.commissioner_spend);
  set(ArmField::kTarget, pay.target);
  set(ArmField::kActual, pay.actual);
  set(ArmField::kFeeTotal, pay.fee_total);
  set(ArmField::kUnderrun, pay.underrun);
  set(ArmField::kProvidersShare, pay.providers_share);
  set(ArmField::kCommissionerResidual, pay.commissioner_residual);
  set(ArmField::kKraComponent, pay.kra_component);
  set(ArmField::kLimb3, pay.limb3);
  set(ArmField::kCapShortfall, pay.cap_shortfall);
  set(ArmField::kKpiReturn, pay.kpi_return);
  set(ArmField::kGatePassed, pay.gate_passed ? 1.0 : 0.0);
  set(ArmField::kPainCapBinds, pay.pain_cap_binds ? 1.0 : 0.0);
  set(ArmField::kGainCapBinds, pay.gain_cap_binds ? 1.0 : 0.0);
  return f;
}

}  // namespace mhsim::analysis
