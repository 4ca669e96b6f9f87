// SPDX-License-Identifier: MIT
#pragma once
// People and their arrival (issue 3, part 1): who comes, when, and with what needs.
// Part of the pathway model; see docs/pathway-model.md.

#include <array>
#include <cstdint>
#include <limits>
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

/// Where a route leads: a service index, or out of services ("discharge").
inline constexpr std::size_t kDischarge = std::numeric_limits<std::size_t>::max();

struct Route {
  std::size_t target = kDischarge;
  double probability = 0;
};
/// Probabilities summing to 1; drawn in the order given. Empty means "discharge".
using Routes = std::vector<Route>;

/// A normal change in WEMWBS points, applied once and rounded to the integer scale.
struct ScoreChange {
  double mean = 0;
  double sd = 0;
};

/// What happens to people of a need group who have need and no service: waiting for one,
/// refused at gatekeeping, lost at a hand-off, diverted without a service, dropped out, or
/// never referred (docs/pathway-model.md, "what happens to people who are not in a
/// service"). Competing hazards per year, each times the person's risk multiplier (and,
/// once they have deteriorated, `deteriorated_risk`), except re-presentation and remission.
struct UnmetNeed {
  /// Crisis: the person is referred to `crisis_to` (leaving a waiting list). Not written:
  /// the crisis hazard and destination of the service they need (the one they wait for, were
  /// refused by or lost on the way to): untreated, a person's crisis risk is that service's.
  std::optional<double> crisis_per_year;
  std::size_t crisis_to = kDischarge;     ///< kDischarge: the needed service's crisis_to
  /// [S] presentations a year at each service of kind "presentation" (A&E, NHS 111, 999,
  /// police, crisis lines): one contact there, costed and borne by its partner. Empty or 0:
  /// none.
  std::vector<double> presentations;
  /// Re-presentation (people outside services only): they seek help again through
  /// `represent_to`, or through the arm's entry routes for their group when it is empty.
  double represent_per_year = 0;
  Routes represent_to;
  /// Deterioration (once per spell without a service): WEMWBS changes by `deterioration`
  /// and crisis and presentation hazards are multiplied by `deteriorated_risk` until they
  /// next start an episode.
  double deteriorate_per_year = 0;
  ScoreChange deterioration;
  double deteriorated_risk = 1;
  /// Remission without treatment: WEMWBS changes by `remission` and the person leaves.
  double remit_per_year = 0;
  ScoreChange remission;
};

/// A change in a need group's arrival rate from a stated day: a step (to_day unset) or a
/// temporary shock (until to_day). Overlapping changes multiply.
struct RateChange {
  double from_day = 0;
  double to_day = std::numeric_limits<double>::infinity();
  double multiplier = 1;
};

/// A need group (e.g. common mental disorder, severe mental illness, complex needs): how
/// often its members arrive and how their attributes are drawn.
struct NeedGroup {
  std::string name;
  double rate_per_1000_per_year = 0;      ///< new arrivals per 1,000 population a year
  std::array<double, 12> monthly_multiplier{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};  ///< seasonality, mean ~1
  /// Demand over time: the rate grows continuously by this a year, x (1 + trend)^(t / 365).
  double trend_per_year = 0;
  std::vector<RateChange> rate_changes = {};  ///< steps and shocks at stated days
  double risk_beta_a = 1, risk_beta_b = 1;  ///< risk in [0, 1] ~ Beta(a, b)
  double wemwbs_mean = 49.4, wemwbs_sd = 8.96;  ///< baseline, rounded and clamped to 14-70
  double goals_mean = 0;                  ///< SIOF goals a person sets ~ Poisson(mean)
  std::array<double, kSiofDomains> goal_domain_weights{1, 1, 1, 1, 1, 1, 1, 1};  ///< relative
  // Leaving the system other than by discharge: hazards per year while in the system.
  double death_per_year = 0;
  double move_away_per_year = 0;
  UnmetNeed unmet;                        ///< hazards of need without a service
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

/// A need group's arrival rate at day t relative to its base rate: the month's multiplier x
/// (1 + trend)^(t / 365) x the rate changes in force at t.
double rate_multiplier(const NeedGroup& group, engine::Days t) noexcept;

/// Arrivals of every need group in time order: for each group a non-homogeneous Poisson
/// process (rate x rate_multiplier) simulated by thinning (Lewis & Shedler 1979), the
/// candidates at a bound of the rate that is constant, or with a growing trend constant
/// within each year (a candidate past the year's end restarts at the next year's bound,
/// exact since exponential gaps are memoryless), so the work stays proportional to the
/// arrivals however long the run.
///
/// Common random numbers: group g's arrival times come from stream "population/arrivals/<g's
/// name>", and the attributes of its k-th arrival from the entity stream ("person/<name>", k).
/// So changing one group's rate, or anything else an arm configures, leaves every other
/// group's people exactly as they were, and a person's attributes never depend on how many
/// draws something else made.
class ArrivalGenerator {
 public:
  /// Throws std::invalid_argument for rates, multipliers or parameters out of range.
  /// Candidates after `horizon` are not generated (next() never returns them): a rate that
  /// falls to 0 for good then ends the group's arrivals instead of searching for ever.
  ArrivalGenerator(const PopulationSpec& spec, const engine::RandomStreams& streams,
                   engine::Days horizon = engine::kNever);

  /// The next arrival at or before `horizon`, or nullopt when there is none.
  std::optional<Person> next(engine::Days horizon);

 private:
  struct GroupState {
    engine::Rng rng;
    double peak_rate;      // per day: base rate x largest multiplier
    double base_rate;      // per day
    engine::Days next_at;  // time of the group's next accepted arrival
    std::uint64_t count = 0;
    engine::Days piece_end = engine::kNever;  // the bound holds until here (a growing trend: the year's end)
    double peak_without_trend = 0;            // base rate x largest monthly multiplier x the rate changes' bound
    engine::StreamId person{0};               // "person/<group>": each arrival's attributes
  };
  void set_piece(std::size_t g, engine::Days from);
  void advance(std::size_t g);
  Person draw_person(std::size_t g, engine::Days at, std::uint64_t index) const;

  const PopulationSpec& spec_;
  engine::RandomStreams streams_;
  std::vector<GroupState> groups_;
  engine::Days horizon_ = engine::kNever;
  std::uint64_t next_id_ = 0;
};

}  // namespace mhsim::models::pathway
