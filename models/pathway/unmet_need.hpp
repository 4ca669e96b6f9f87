// SPDX-License-Identifier: MIT
#pragma once
// Need without a service (issue 14): the competing hazards of a person who waits for a
// service or is outside services with unmet need (NeedGroup::unmet), and which event a
// uniform draw picks. Pure functions; the pathway model (pathway.cpp) schedules the events.
// docs/pathway-model.md, "What happens to people who are not in a service".

#include <cstddef>
#include <vector>

#include "models/pathway/pathway.hpp"

namespace mhsim::models::pathway {

/// Hazards per year of one person's next unmet-need event.
struct UnmetRates {
  /// Times `multiplier`; 0 when no crisis destination is set. A crisis whose destination the
  /// arm lacks (and has no fallback for) still happens: it is counted, and the person stays
  /// with unmet need.
  double crisis = 0;
  double presentations = 0;  ///< all presentation services together, times `multiplier`
  double represent = 0;      ///< outside services only (not while waiting)
  double deteriorate = 0;    ///< 0 once deteriorated in this spell
  double remit = 0;
  double multiplier = 1;     ///< risk multiplier x (deteriorated_risk once deteriorated)
  std::size_t crisis_to = kDischarge;
  double total() const noexcept { return crisis + presentations + represent + deteriorate + remit; }
};

/// Who and where: the person's group table, the service they need (kDischarge: none in
/// particular), their risk multiplier, whether they have deteriorated in this spell, and
/// whether they are waiting (a waiting person is already referred: no re-presentation).
/// Without a crisis hazard of its own, the group takes the crisis hazard and destination
/// of the needed service.
UnmetRates unmet_rates(const UnmetNeed& group, const std::vector<ServiceSpec>& services, std::size_t need,
                       double risk_multiplier, bool deteriorated, bool waiting);

enum class UnmetEvent { kCrisis, kPresentation, kRepresent, kDeteriorate, kRemit };

struct UnmetChoice {
  UnmetEvent event = UnmetEvent::kRemit;
  std::size_t service = kDischarge;  ///< kPresentation: where
  double u = 0;                      ///< kRepresent: a fresh uniform on [0, 1) for the route
};

/// The event u in [0, 1) picks, each with probability hazard / total, in the order crisis,
/// presentations (by service index), re-presentation, deterioration, remission.
/// `rates.total()` must be > 0.
UnmetChoice choose_unmet_event(const UnmetRates& rates, const UnmetNeed& group, const std::vector<ServiceSpec>& services,
                               double u);

}  // namespace mhsim::models::pathway
