// SPDX-License-Identifier: MIT
#pragma once
// People and their arrival (issue 3, part 1): who comes, when, and with what needs.
// Part of the pathway model; see docs/pathway-model.md.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/random.hpp"
#include "engine/time.hpp"

namespace mhsim::models::pathway {

/// The eight Social Inclusion Outcomes Framework domains [SEED 004], in this order.
inline constexpr std::size_t kSiofDomains = 8;
inline constexpr std::array<std::string_view, kSiofDomains> kSiofDomainNames = {
    "mental_wellbeing", "community_participation", "social_networks", "physical_health",
    "education_training", "volunteering", "employment", "finance"};

/// WEMWBS: 14 items scored 1-5, total 14-70 [R62].
inline constexpr int kWemwbsMin = 14;
inline constexpr int kWemwbsMax = 70;

/// A need group (e.g. common mental disorder, severe mental illness, complex needs): how
/// often its members arrive and how their attributes are drawn.
struct NeedGroup {
  std::string name;
  double rate_per_1000_per_year = 0;      ///< new arrivals per 1,000 population a year
  std::array<double, 12> monthly_multiplier{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};  ///< seasonality, mean ~1
  double risk_beta_a = 1, risk_beta_b = 1;  ///< risk in [0, 1] ~ Beta(a, b)
  double wemwbs_mean = 49.4, wemwbs_sd = 8.96;  ///< baseline, rounded and clamped to 14-70
  double goals_mean = 0;                  ///< SIOF goals a person sets ~ Poisson(mean)
  std::array<double, kSiofDomains> goal_domain_weights{1, 1, 1, 1, 1, 1, 1, 1};  ///< relative
  // Leaving the system other than by discharge: hazards per year while in the system.
  double death_per_year = 0;
  double move_away_per_year = 0;
};

struct PopulationSpec {
  double size = 0;  ///< people in the catchment
  std::vector<NeedGroup> groups;
};

/// A person, with attributes drawn once at arrival.
struct Person {
  std::uint64_t id = 0;            ///< arrival order across groups, from 0
  std::uint32_t group = 0;         ///< index into PopulationSpec::groups
  std::uint64_t index_in_group = 0;
  engine::Days arrived = 0;
  double risk = 0;
  int wemwbs = 0;
  std::array<std::uint8_t, kSiofDomains> goals{};  ///< goals set per domain
};

/// Draws a person's attributes (risk, baseline WEMWBS, SIOF goals) from their own stream,
/// in a fixed order. Used for arrivals and for the starting caseload.
Person draw_person(const NeedGroup& group, std::uint32_t group_index, engine::EntityRng& rng);

/// Month of the year (0-11) of a day, with twelve equal months of 365/12 days.
int month_of(engine::Days t) noexcept;

/// Arrivals of every need group in time order: for each group a non-homogeneous Poisson
/// process (rate x monthly multiplier) simulated by thinning (Lewis & Shedler 1979).
///
/// Common random numbers: group g's arrival times come from stream "population/arrivals/<g's
/// name>", and the attributes of its k-th arrival from the entity stream ("person/<name>", k).
/// So changing one group's rate, or anything else an arm configures, leaves every other
/// group's people exactly as they were, and a person's attributes never depend on how many
/// draws something else made.
class ArrivalGenerator {
 public:
  /// Throws std::invalid_argument for rates, multipliers or parameters out of range.
  ArrivalGenerator(const PopulationSpec& spec, const engine::RandomStreams& streams);

  /// The next arrival at or before `horizon`, or nullopt when there is none.
  std::optional<Person> next(engine::Days horizon);

 private:
  struct GroupState {
    engine::Rng rng;
    double peak_rate;      // per day: base rate x largest multiplier
    double base_rate;      // per day
    engine::Days next_at;  // time of the group's next accepted arrival
    std::uint64_t count = 0;
  };
  void advance(std::size_t g);
  Person draw_person(std::size_t g, engine::Days at, std::uint64_t index) const;

  const PopulationSpec& spec_;
  engine::RandomStreams streams_;
  std::vector<GroupState> groups_;
  std::uint64_t next_id_ = 0;
};

}  // namespace mhsim::models::pathway
