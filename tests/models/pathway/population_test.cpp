// SPDX-License-Identifier: MIT
// People and arrivals. Statistical checks use fixed seeds and compare with the exact
// expectation within 3 standard errors (Poisson counts: SE = sqrt(mean / n); proportions:
// binomial SE), or a chi-square test at 0.999, as stated beside each.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

#include <boost/math/distributions/chi_squared.hpp>

#include "engine/stats.hpp"
#include "models/pathway/population.hpp"

namespace pw = mhsim::models::pathway;
using mhsim::engine::RandomStreams;

namespace {
pw::NeedGroup group(std::string name, double rate) {
  pw::NeedGroup g;
  g.name = std::move(name);
  g.rate_per_1000_per_year = rate;
  return g;
}

std::vector<pw::Person> all_arrivals(const pw::PopulationSpec& spec, std::uint64_t rep, double horizon) {
  pw::ArrivalGenerator gen(spec, RandomStreams{42, rep});
  std::vector<pw::Person> out;
  while (auto p = gen.next(horizon)) out.push_back(*p);
  return out;
}
}  // namespace

TEST_CASE("Population: yearly arrivals match rate x size / 1000", "[models][statistical]") {
  // 100,000 people, 30 per 1,000 a year: 3,000 a year. Over 200 one-year replications the
  // mean count has SE sqrt(3000 / 200) = 3.87.
  pw::PopulationSpec spec{100000, {group("cmd", 30.0)}};
  mhsim::engine::Tally count;
  for (std::uint64_t r = 0; r < 200; ++r) count.add(static_cast<double>(all_arrivals(spec, r, 365.0).size()));
  CHECK(std::fabs(count.mean() - 3000.0) <= 3.0 * std::sqrt(3000.0 / 200.0));
  // Poisson: variance equals the mean (SE of a sample variance ~ mean * sqrt(2 / (n - 1))).
  CHECK(std::fabs(count.variance() - 3000.0) <= 3.0 * 3000.0 * std::sqrt(2.0 / 199.0));
}

TEST_CASE("Population: monthly multipliers shape the arrivals", "[models][statistical]") {
  // Winter months twice the summer: expected count in month m = 3000 / 12 x multiplier.
  pw::NeedGroup g = group("cmd", 30.0);
  g.monthly_multiplier = {1.5, 1.5, 1.0, 1.0, 0.75, 0.5, 0.5, 0.75, 1.0, 1.0, 1.5, 1.5};
  pw::PopulationSpec spec{100000, {g}};
  std::vector<double> counts(12, 0.0);
  constexpr int reps = 100;
  for (std::uint64_t r = 0; r < reps; ++r) {
    for (const auto& p : all_arrivals(spec, r, 365.0)) counts[static_cast<std::size_t>(pw::month_of(p.arrived))] += 1;
  }
  for (std::size_t m = 0; m < 12; ++m) {
    const double expected = 3000.0 / 12.0 * g.monthly_multiplier[m] * reps;  // total over replications
    INFO("month " << m << ": " << counts[m] << " vs " << expected);
    CHECK(std::fabs(counts[m] - expected) <= 3.0 * std::sqrt(expected));  // Poisson total
  }
}

TEST_CASE("Population: arrivals come in time order with ids in that order", "[models]") {
  pw::PopulationSpec spec{50000, {group("cmd", 20.0), group("smi", 2.0), group("complex", 0.5)}};
  const auto people = all_arrivals(spec, 0, 730.0);
  REQUIRE(people.size() > 1000);
  for (std::size_t i = 1; i < people.size(); ++i) {
    CHECK(people[i - 1].arrived <= people[i].arrived);
    CHECK(people[i].id == i);
  }
}

TEST_CASE("Population: attributes follow their distributions and stay in range", "[models][statistical]") {
  pw::NeedGroup g = group("smi", 200.0);
  g.risk_beta_a = 2;
  g.risk_beta_b = 6;                 // mean 0.25, variance 2 x 6 / (8^2 x 9) = 0.020833
  g.wemwbs_mean = 40;
  g.wemwbs_sd = 8;                   // clamping at 14 and 70 is > 3 SD away: negligible
  g.goals_mean = 2.5;
  // Stockport Table 2 domain totals [SEED 004]: 184, 63, 79, 55, 43, 48, 35, 88 of 595.
  g.goal_domain_weights = {184, 63, 79, 55, 43, 48, 35, 88};
  pw::PopulationSpec spec{100000, {g}};
  const auto people = all_arrivals(spec, 3, 365.0);  // about 20,000 people
  REQUIRE(people.size() > 15000);
  const double n = static_cast<double>(people.size());
  mhsim::engine::Tally risk, wemwbs, goals;
  std::vector<double> domains(pw::kSiofDomains, 0.0);
  for (const auto& p : people) {
    REQUIRE(p.wemwbs >= pw::kWemwbsMin);
    REQUIRE(p.wemwbs <= pw::kWemwbsMax);
    REQUIRE(p.risk >= 0.0);
    REQUIRE(p.risk <= 1.0);
    risk.add(p.risk);
    wemwbs.add(p.wemwbs);
    int total = 0;
    for (std::size_t d = 0; d < pw::kSiofDomains; ++d) {
      total += p.goals[d];
      domains[d] += p.goals[d];
    }
    goals.add(total);
  }
  CHECK(std::fabs(risk.mean() - 0.25) <= 3.0 * std::sqrt(0.0208333 / n));
  // Rounding to integers adds variance 1/12 but no bias.
  CHECK(std::fabs(wemwbs.mean() - 40.0) <= 3.0 * std::sqrt((64.0 + 1.0 / 12.0) / n));
  CHECK(std::fabs(goals.mean() - 2.5) <= 3.0 * std::sqrt(2.5 / n));  // Poisson
  // Domain mix: chi-square of goal counts against the weights, 7 degrees of freedom, 0.999.
  double all = 0, weight_total = 0, stat = 0;
  for (std::size_t d = 0; d < pw::kSiofDomains; ++d) {
    all += domains[d];
    weight_total += g.goal_domain_weights[d];
  }
  for (std::size_t d = 0; d < pw::kSiofDomains; ++d) {
    const double expected = all * g.goal_domain_weights[d] / weight_total;
    stat += (domains[d] - expected) * (domains[d] - expected) / expected;
  }
  CHECK(stat < boost::math::quantile(boost::math::chi_squared(7), 0.999));
}

TEST_CASE("Population: changing one group leaves every other group's people identical", "[models][reproducibility]") {
  // Common random numbers: an arm that doubles front-door demand for "cmd" must not
  // change who the "smi" people are, when they come, or their attributes.
  pw::NeedGroup smi = group("smi", 3.0);
  smi.goals_mean = 1.5;
  pw::PopulationSpec base{100000, {group("cmd", 30.0), smi}};
  pw::PopulationSpec doubled{100000, {group("cmd", 60.0), smi}};
  auto smi_people = [](const std::vector<pw::Person>& people) {
    std::vector<pw::Person> out;
    for (const auto& p : people) {
      if (p.group == 1) out.push_back(p);
    }
    return out;
  };
  const auto a = smi_people(all_arrivals(base, 9, 730.0));
  const auto b = smi_people(all_arrivals(doubled, 9, 730.0));
  REQUIRE(a.size() == b.size());
  REQUIRE(a.size() > 300);
  for (std::size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].arrived == b[i].arrived);
    CHECK(a[i].index_in_group == b[i].index_in_group);
    CHECK(a[i].risk == b[i].risk);
    CHECK(a[i].wemwbs == b[i].wemwbs);
    CHECK(a[i].goals == b[i].goals);
  }
  // ... while the cmd group itself did change.
  CHECK(all_arrivals(base, 9, 730.0).size() != all_arrivals(doubled, 9, 730.0).size());
}

TEST_CASE("Population: bad parameters are refused with the group named", "[models]") {
  pw::NeedGroup g = group("cmd", -1.0);
  pw::PopulationSpec spec{1000, {g}};
  CHECK_THROWS_WITH(pw::ArrivalGenerator(spec, RandomStreams{1, 0}), Catch::Contains("need group 'cmd'"));
  g.rate_per_1000_per_year = 1.0;
  g.risk_beta_a = 0.0;
  spec.groups = {g};
  CHECK_THROWS_WITH(pw::ArrivalGenerator(spec, RandomStreams{1, 0}), Catch::Contains("risk Beta"));
  // A group with rate 0 simply never arrives.
  spec.groups = {group("none", 0.0)};
  pw::ArrivalGenerator gen(spec, RandomStreams{1, 0});
  CHECK_FALSE(gen.next(1e6).has_value());
}

TEST_CASE("Population: month_of splits the year into twelve equal months", "[models]") {
  CHECK(pw::month_of(0.0) == 0);
  CHECK(pw::month_of(30.0) == 0);
  CHECK(pw::month_of(30.5) == 1);
  CHECK(pw::month_of(364.99) == 11);
  CHECK(pw::month_of(365.0) == 0);
  CHECK(pw::month_of(365.0 + 31.0) == 1);
}

namespace {
std::vector<pw::Person> arrivals_to(const pw::PopulationSpec& spec, std::uint64_t rep, double horizon) {
  pw::ArrivalGenerator gen(spec, RandomStreams{42, rep}, horizon);
  std::vector<pw::Person> out;
  while (auto p = gen.next(horizon)) out.push_back(*p);
  return out;
}
}  // namespace

TEST_CASE("Population: a demand trend, a shock and a step give arrivals per period equal to the integrated rate",
          "[models][statistical][demand]") {
  // 100,000 people at 10 per 1,000: 1,000 a year at day 0, growing 20% a year continuously
  // (rate(t) = 1000 / 365 x 1.2^(t / 365) a day), doubled on days [100, 200), halved from day
  // 500. Expected arrivals in [a, b) at multiplier m: m x 1000 / 365 x (e^(k b) - e^(k a)) / k,
  // k = ln 1.2 / 365. Over 200 two-year replications each period's total is Poisson: within
  // 4 standard errors (sqrt of the expected total), fixed seed.
  pw::NeedGroup g = group("cmd", 10.0);
  g.trend_per_year = 0.2;
  g.rate_changes = {pw::RateChange{100, 200, 2.0}, pw::RateChange{500, std::numeric_limits<double>::infinity(), 0.5}};
  const pw::PopulationSpec spec{100000, {g}};
  const double k = std::log(1.2) / 365.0, per_day = 1000.0 / 365.0;
  const auto integral = [&](double a, double b, double m) { return m * per_day * (std::exp(k * b) - std::exp(k * a)) / k; };
  const std::vector<double> edges = {0, 100, 200, 365, 500, 730};
  const std::vector<double> multiplier = {1, 2, 1, 1, 0.5};
  constexpr int reps = 200;
  std::vector<double> counts(5, 0.0);
  for (std::uint64_t r = 0; r < reps; ++r) {
    for (const pw::Person& p : arrivals_to(spec, r, 730.0)) {
      for (std::size_t i = 0; i < 5; ++i) {
        if (p.arrived >= edges[i] && p.arrived < edges[i + 1]) counts[i] += 1;
      }
    }
  }
  for (std::size_t i = 0; i < 5; ++i) {
    const double expected = reps * integral(edges[i], edges[i + 1], multiplier[i]);
    INFO("days [" << edges[i] << ", " << edges[i + 1] << "): " << counts[i] << " vs " << expected);
    CHECK(std::fabs(counts[i] - expected) <= 4.0 * std::sqrt(expected));
  }
  // The multiplier the generator keeps candidates by, at chosen days.
  CHECK(pw::rate_multiplier(g, 150) == Approx(2.0 * std::pow(1.2, 150.0 / 365.0)).epsilon(1e-14));
  CHECK(pw::rate_multiplier(g, 600) == Approx(0.5 * std::pow(1.2, 600.0 / 365.0)).epsilon(1e-14));
}

TEST_CASE("Population: without a trend or changes the arrivals are those of before, bit for bit, a closed door "
          "ends them", "[models][demand]") {
  // A change whose multiplier is 1 and a zero trend leave the bound and every kept candidate
  // as they were.
  pw::NeedGroup plain = group("cmd", 30.0);
  pw::NeedGroup same = plain;
  same.rate_changes = {pw::RateChange{100, 200, 1.0}};
  const auto a = all_arrivals(pw::PopulationSpec{10000, {plain}}, 3, 730.0);
  const auto b = arrivals_to(pw::PopulationSpec{10000, {same}}, 3, 730.0);
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) CHECK(a[i].arrived == b[i].arrived);
  // A rate that falls to 0 for good ends the group's arrivals (with a horizon) instead of
  // searching for ever.
  pw::NeedGroup closed = plain;
  closed.rate_changes = {pw::RateChange{100, std::numeric_limits<double>::infinity(), 0.0}};
  const auto c = arrivals_to(pw::PopulationSpec{10000, {closed}}, 3, 3650.0);
  REQUIRE_FALSE(c.empty());
  CHECK(c.back().arrived < 100);
  pw::NeedGroup backwards = plain;
  backwards.rate_changes = {pw::RateChange{200, 100, 2.0}};
  CHECK_THROWS_WITH(pw::ArrivalGenerator(pw::PopulationSpec{10000, {backwards}}, RandomStreams{1, 0}, 730.0),
                    Catch::Contains("0 <= from_day < to_day"));
}

TEST_CASE("Population: a steep trend over many years costs work in proportion to the arrivals, and its last year "
          "matches the integrated rate", "[models][statistical][demand]") {
  // 1,000 people at 10 per 1,000 (10 a year at day 0), doubling every year for 20 years: the
  // count in year 20 is Poisson with mean 10 (2^20 - 2^19) / ln 2, about 7.56 million, and is
  // checked within 4 standard errors (one replication, fixed seed); the whole run's count
  // (mean 10 (2^20 - 1) / ln 2) within 1%. With one bound for the run this would draw about
  // 2^20 x 20 / 2 times too many candidates.
  pw::NeedGroup g = group("cmd", 10.0);
  g.trend_per_year = 1.0;
  const pw::PopulationSpec spec{1000, {g}};
  const double expected = 10.0 * (std::pow(2.0, 20.0) - std::pow(2.0, 19.0)) / std::log(2.0);
  pw::ArrivalGenerator gen(spec, RandomStreams{7, 0}, 20 * 365.0);
  double last_year = 0, all = 0;
  while (auto p = gen.next(20 * 365.0)) {
    all += 1;
    if (p->arrived >= 19 * 365.0) last_year += 1;
  }
  INFO(last_year << " vs " << expected);
  CHECK(std::fabs(last_year - expected) <= 4.0 * std::sqrt(expected));
  CHECK(all == Approx(10.0 * (std::pow(2.0, 20.0) - 1) / std::log(2.0)).epsilon(0.01));
}
