// SPDX-License-Identifier: MIT
#include "models/pathway/unmet_need.hpp"

namespace mhsim::models::pathway {

UnmetRates unmet_rates(const UnmetNeed& u, const std::vector<ServiceSpec>& services, std::size_t need,
                       double risk_multiplier, bool deteriorated, bool waiting) {
  UnmetRates r;
  r.multiplier = risk_multiplier * (deteriorated ? u.deteriorated_risk : 1.0);
  const ServiceSpec* needed = need < services.size() ? &services[need] : nullptr;
  r.crisis_to = u.crisis_to != kDischarge ? u.crisis_to : needed != nullptr ? needed->crisis_to : kDischarge;
  const double crisis = u.crisis_per_year ? *u.crisis_per_year : needed != nullptr ? needed->crisis_per_year : 0.0;
  if (r.crisis_to != kDischarge) r.crisis = crisis * r.multiplier;
  for (std::size_t s = 0; s < u.presentations.size() && s < services.size(); ++s) {
    if (is_presentation(services[s].kind)) r.presentations += u.presentations[s];
  }
  r.presentations *= r.multiplier;
  if (!waiting) r.represent = u.represent_per_year;
  if (!deteriorated) r.deteriorate = u.deteriorate_per_year;
  r.remit = u.remit_per_year;
  return r;
}

namespace {

// The last presentation service the group has a hazard at (kDischarge: none).
std::size_t last_presentation(const UnmetNeed& group, const std::vector<ServiceSpec>& services) {
  std::size_t last = kDischarge;
  for (std::size_t s = 0; s < group.presentations.size() && s < services.size(); ++s) {
    if (is_presentation(services[s].kind) && group.presentations[s] > 0) last = s;
  }
  return last;
}

}  // namespace

UnmetChoice choose_unmet_event(const UnmetRates& r, const UnmetNeed& group, const std::vector<ServiceSpec>& services,
                               double u) {
  UnmetChoice c;
  double x = u * r.total();
  if (x < r.crisis) {
    c.event = UnmetEvent::kCrisis;
    return c;
  }
  x -= r.crisis;
  if (x < r.presentations) {
    c.event = UnmetEvent::kPresentation;
    for (std::size_t s = 0; s < group.presentations.size() && s < services.size(); ++s) {
      if (!is_presentation(services[s].kind) || !(group.presentations[s] > 0)) continue;
      c.service = s;  // the last one with a hazard takes rounding at the top
      const double w = group.presentations[s] * r.multiplier;
      if (x < w) break;
      x -= w;
    }
    return c;
  }
  x -= r.presentations;
  if (x < r.represent) {
    c.event = UnmetEvent::kRepresent;
    c.u = x / r.represent;  // uniform on [0, 1) given this branch
    return c;
  }
  x -= r.represent;
  c.event = x < r.deteriorate ? UnmetEvent::kDeteriorate : UnmetEvent::kRemit;
  // Rounding at the top of the range, with no remission hazard: the last event with one.
  if (c.event == UnmetEvent::kRemit && !(r.remit > 0)) {
    c.event = r.deteriorate > 0 ? UnmetEvent::kDeteriorate : r.represent > 0 ? UnmetEvent::kRepresent
                                                       : r.presentations > 0 ? UnmetEvent::kPresentation
                                                                             : UnmetEvent::kCrisis;
    if (c.event == UnmetEvent::kPresentation) c.service = last_presentation(group, services);
  }
  return c;
}

}  // namespace mhsim::models::pathway
