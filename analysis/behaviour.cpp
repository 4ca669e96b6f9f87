// SPDX-License-Identifier: MIT
#include "analysis/behaviour.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "models/incentives/incentives.hpp"

namespace mhsim::analysis {

namespace pw = models::pathway;
namespace inc = models::incentives;

namespace {

constexpr const char* kResponse = "incentives/response";

// Whether decision d arises at service s of arm a (as models/incentives prices it).
bool arises(const pw::PathwaySpec& spec, const pw::ArmSpec& a, std::size_t d, std::size_t s) {
  if (s >= a.enabled.size() || !a.enabled[s]) return false;
  const pw::ServiceSpec& svc = spec.services[s];
  switch (static_cast<inc::Decision>(d)) {
    case inc::Decision::kGatekeeping: return svc.gatekept;
    case inc::Decision::kStepDown: return pw::is_long_term(svc.kind) && svc.duration.has_value();
    case inc::Decision::kDiversion: {
      if (!pw::is_front_door(svc.kind)) return false;
      for (const pw::Route& r : svc.routes) {  // only where it refers on to secondary care
        const std::size_t t = r.target == pw::kDischarge ? pw::kDischarge : pw::taking_service(spec, a, r.target);
        if (t != pw::kDischarge && pw::is_secondary(spec.services[t].kind)) return true;
      }
      return false;
    }
  }
  return false;
}

const pw::ByYear& stated_parameter(const pw::ArmSpec& a, std::size_t d) {
  switch (static_cast<inc::Decision>(d)) {
    case inc::Decision::kGatekeeping: return a.gatekeeping;
    case inc::Decision::kStepDown: return a.step_down_speed;
    case inc::Decision::kDiversion: break;
  }
  return a.front_door_diversion;
}

}  // namespace

std::vector<BehaviourRow> behaviour_rows(const ResultsReader& file, const scenario::PathwayScenario& sc,
                                         std::size_t base_arm, std::size_t years) {
  const std::vector<std::string> names = file.datasets();
  if (std::find(names.begin(), names.end(), kResponse) == names.end()) return {};
  const pw::PathwaySpec& spec = sc.spec;
  const std::size_t A = spec.arms.size(), Y = static_cast<std::size_t>(spec.years), S = spec.services.size();
  constexpr std::size_t D = inc::kDecisions, F = pw::kResponseFieldNames.size();
  const std::vector<std::uint64_t> shape = file.shape(kResponse);
  if (shape.size() != 6 || shape[1] != A || shape[2] != Y || shape[3] != D || shape[4] != S || shape[5] != F) {
    throw std::runtime_error(file.file_path() + ": " + kResponse + ": expected shape (replications, " + std::to_string(A) +
                             ", " + std::to_string(Y) + ", 3, " + std::to_string(S) + ", 3)");
  }
  const std::size_t R = static_cast<std::size_t>(shape[0]);
  const std::size_t H = std::min(std::max<std::size_t>(years, 1), Y);
  const std::vector<double> v = file.read_double(kResponse);
  // mean[a][d][s][field] over replications and the first H years.
  std::vector<double> mean(A * D * S * F, 0.0);
  for (std::size_t r = 0; r < R; ++r) {
    for (std::size_t a = 0; a < A; ++a) {
      for (std::size_t y = 0; y < H; ++y) {
        for (std::size_t d = 0; d < D; ++d) {
          for (std::size_t s = 0; s < S; ++s) {
            for (std::size_t k = 0; k < F; ++k) {
              mean[((a * D + d) * S + s) * F + k] += v[((((r * A + a) * Y + y) * D + d) * S + s) * F + k];
            }
          }
        }
      }
    }
  }
  for (double& x : mean) x /= static_cast<double>(R * H);
  const auto stated_of = [&](std::size_t a, std::size_t d) {
    double t = 0;
    for (std::size_t y = 0; y < H; ++y) t += stated_parameter(spec.arms[a], d).in_year(y);
    return t / static_cast<double>(H);
  };
  const char* parameter[D] = {"gatekeeping", "step_down_speed", "front_door_diversion"};
  std::vector<BehaviourRow> out;
  for (std::size_t a = 0; a < A; ++a) {
    for (std::size_t d = 0; d < D; ++d) {
      for (std::size_t s = 0; s < S; ++s) {
        if (!arises(spec, spec.arms[a], d, s)) continue;
        BehaviourRow row;
        row.arm = spec.arms[a].name;
        row.decision = std::string(inc::kDecisionNames[d]);
        row.service = spec.services[s].name;
        row.partner = spec.partners[spec.services[s].partner].name;
        row.parameter = parameter[d];
        row.stated = stated_of(a, d);
        const double* m = &mean[((a * D + d) * S + s) * F];
        row.signal = m[0];
        row.stake = m[1];
        row.factor = m[2];
        row.in_force = row.stated * row.factor;
        if (d != static_cast<std::size_t>(inc::Decision::kStepDown)) row.in_force = std::min(1.0, row.in_force);
        if (base_arm < A && arises(spec, spec.arms[base_arm], d, s)) {
          const double b_stated = stated_of(base_arm, d);
          const double b_factor = mean[((base_arm * D + d) * S + s) * F + 2];
          row.explicit_part = (row.stated - b_stated) * (row.factor + b_factor) / 2;
          row.response_part = (row.factor - b_factor) * (row.stated + b_stated) / 2;
        } else {
          row.explicit_part = row.response_part = std::numeric_limits<double>::quiet_NaN();
        }
        out.push_back(std::move(row));
      }
    }
  }
  return out;
}

}  // namespace mhsim::analysis
