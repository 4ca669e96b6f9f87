// SPDX-License-Identifier: MIT
#pragma once
// Builders for small pathway specs written in code, so tests state exactly what they model.

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "models/pathway/pathway.hpp"

namespace mhsim::test {

namespace pw = mhsim::models::pathway;

/// Across-replication mean and standard error of the mean (two-pass).
struct Estimate {
  double mean;
  double se;
};

inline Estimate estimate(const std::vector<double>& x) {
  const double n = static_cast<double>(x.size());
  double sum = 0;
  for (const double v : x) sum += v;
  const double mean = sum / n;
  double ss = 0;
  for (const double v : x) ss += (v - mean) * (v - mean);
  return Estimate{mean, std::sqrt(ss / (n - 1.0) / n)};
}

/// One need group, one partner, no services or arms yet; `years` of horizon.
inline pw::PathwaySpec base_spec(double rate_per_1000, double population, int years = 1) {
  pw::PathwaySpec spec;
  spec.years = years;
  spec.population.size = population;
  pw::NeedGroup g;
  g.name = "g";
  g.rate_per_1000_per_year = rate_per_1000;
  spec.population.groups.push_back(g);
  spec.partners.push_back(pw::PartnerSpec{"trust", "nhs_trust"});
  spec.outcomes.follow_up_days = 0;
  return spec;
}

/// A service with a duration distribution and unlimited capacity, discharging on completion.
inline pw::ServiceSpec service(std::string name, engine::Distribution duration, std::int64_t capacity = 0) {
  pw::ServiceSpec s;
  s.name = std::move(name);
  s.duration = duration;
  s.capacity = capacity;
  return s;
}

/// An arm with every service enabled at its own capacity and every group entering at `entry`.
inline pw::ArmSpec arm(const pw::PathwaySpec& spec, std::string name, std::size_t entry = 0) {
  pw::ArmSpec a;
  a.name = std::move(name);
  a.enabled.assign(spec.services.size(), true);
  for (const pw::ServiceSpec& s : spec.services) a.capacity.push_back(s.capacity);
  a.entry.assign(spec.population.groups.size(), pw::Routes{pw::Route{entry, 1.0}});
  return a;
}

}  // namespace mhsim::test
