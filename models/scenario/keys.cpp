// SPDX-License-Identifier: MIT
#include "models/scenario/keys.hpp"

#include "models/scenario/diagnostics.hpp"

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace mhsim::scenario {

namespace {



std::vector<KeySpec> make_keys() {
  using K = KeyType;
  // clang-format off
  return {
    {"scenario", K::kTable, "", 0, 0, false, "", "Describes the scenario."},
    {"scenario.name", K::kString, "", 0, 0, false, "file name", "Short name shown in summaries and stored in results."},
    {"scenario.description", K::kString, "", 0, 0, false, "\"\"", "What the scenario represents and where its numbers come from."},
    {"run", K::kTable, "", 0, 0, true, "", "How to run the scenario."},
    {"run.seed", K::kInteger, "", 0, limits::kMaxSeed, true, "", "Master seed; with the replication index and a stream name it fixes every random draw. `--seed` overrides it."},
    {"run.replications", K::kInteger, "", 1, limits::kMaxReplications, true, "", "Independent replications. `--reps` overrides it."},
    {"run.horizon_days", K::kNumber, "days", 0, limits::kMaxHorizonDays, true, "", "Simulated time per replication (must be > 0)."},
    {"run.warmup_days", K::kNumber, "days", 0, limits::kMaxHorizonDays, false, "0", "Statistics are reset at this time (must be < horizon_days); queues and people in service are kept."},
    {"run.max_in_system", K::kInteger, "people", 1, limits::kMaxInSystem, false, "10000000", "A replication with more people in the network at once stops with an error (guards against unstable networks)."},
    {"stations", K::kTable, "", 0, 0, true, "", "One sub-table per station, named by the user (`[stations.triage]`). Stations keep the order of the file."},
    {"stations.<name>.servers", K::kInteger, "servers", 1, limits::kMaxServers, true, "", "Identical servers (staff, slots, beds) working in parallel."},
    {"stations.<name>.service", K::kDistribution, "days", 0, 0, true, "", "Service time of one person at this station."},
    {"stations.<name>.discipline", K::kChoice, "", 0, 0, false, "\"fifo\"", "Who is served next: first come first served, or smallest priority first (non-preemptive).", {"fifo", "priority"}},
    {"stations.<name>.queue_limit", K::kInteger, "people", 0, 1e12, false, "unbounded", "Longest waiting line; arrivals finding it full are refused and leave (0 = a loss system such as M/M/c/c)."},
    {"stations.<name>.arrival_rate", K::kNumber, "per day", 0, 1e9, false, "none", "External Poisson arrivals (must be > 0). Give this or `interarrival`, not both."},
    {"stations.<name>.interarrival", K::kDistribution, "days", 0, 0, false, "none", "Time between external arrivals, for renewal (non-Poisson) arrival processes."},
    {"stations.<name>.arrival_priority", K::kInteger, "", -1e6, 1e6, false, "0", "Priority of external arrivals here; smaller is served first where discipline = \"priority\"."},
    {"stations.<name>.routes", K::kRoutes, "probability", 0, 1, false, "everyone exits", "Where people go after service: `{ other_station = p, exit = q }`; probabilities in [0, 1] summing to 1."},
    {"<dist>.distribution", K::kChoice, "", 0, 0, true, "", "The family; its parameters are the other keys of the table.",
     {"exponential", "deterministic", "uniform", "triangular", "gamma", "erlang", "lognormal", "weibull"}},
    {"<dist>.mean", K::kNumber, "days", 0, 1e9, false, "", "Mean (> 0): exponential (or `rate`), gamma (with `cv`), erlang (with `k`), lognormal (with `sd`)."},
    {"<dist>.rate", K::kNumber, "per day", 0, 1e12, false, "", "Rate (> 0) of an exponential, instead of `mean`."},
    {"<dist>.value", K::kNumber, "days", 0, 1e9, false, "", "The constant of a deterministic distribution."},
    {"<dist>.min", K::kNumber, "days", 0, 1e9, false, "", "Lower bound: uniform, triangular."},
    {"<dist>.mode", K::kNumber, "days", 0, 1e9, false, "", "Most likely value: triangular (min <= mode <= max)."},
    {"<dist>.max", K::kNumber, "days", 0, 1e9, false, "", "Upper bound: uniform, triangular (> min)."},
    {"<dist>.shape", K::kNumber, "", 0, 1e6, false, "", "Shape (> 0): gamma (with `scale`), weibull."},
    {"<dist>.scale", K::kNumber, "days", 0, 1e9, false, "", "Scale (> 0): gamma (with `shape`), weibull."},
    {"<dist>.cv", K::kNumber, "", 0, 100, false, "", "Coefficient of variation (> 0): gamma, with `mean`."},
    {"<dist>.k", K::kInteger, "", 1, 1000, false, "", "Number of phases: erlang."},
    {"<dist>.sd", K::kNumber, "days", 0, 1e9, false, "", "Standard deviation (> 0) of the variable itself: lognormal, with `mean`."},
  };
  // clang-format on
}

const char* type_name(KeyType t) {
  switch (t) {
    case KeyType::kString: return "string";
    case KeyType::kInteger: return "integer";
    case KeyType::kNumber: return "number";
    case KeyType::kChoice: return "string (choice)";
    case KeyType::kTable: return "table";
    case KeyType::kDistribution: return "distribution table";
    case KeyType::kRoutes: return "table of probabilities";
  }
  return "?";
}

}  // namespace

std::string_view KeySpec::leaf() const noexcept {
  const auto dot = path.rfind('.');
  return dot == std::string_view::npos ? path : path.substr(dot + 1);
}

std::string KeySpec::expectation() const {
  switch (type) {
    case KeyType::kString: return "a string";
    case KeyType::kInteger:
      return "an integer in [" + number_text(min) + ", " + number_text(max) + "]";
    case KeyType::kNumber:
      return "a number in [" + number_text(min) + ", " + number_text(max) + "]";
    case KeyType::kChoice: {
      std::string s = "one of ";
      for (std::size_t i = 0; i < choices.size(); ++i) {
        if (i) s += ", ";
        s += "\"" + std::string(choices[i]) + "\"";
      }
      return s;
    }
    case KeyType::kTable: return "a table";
    case KeyType::kDistribution: return "a distribution table such as { distribution = \"exponential\", mean = 2.0 }";
    case KeyType::kRoutes: return "a table of probabilities such as { next_station = 0.3, exit = 0.7 }";
  }
  return "?";
}

const std::vector<KeySpec>& network_keys() {
  static const std::vector<KeySpec> keys = make_keys();
  return keys;
}

const KeySpec& key(std::string_view path) {
  for (const KeySpec& k : network_keys()) {
    if (k.path == path) return k;
  }
  throw std::logic_error("undeclared scenario key: " + std::string(path));
}

std::string keys_markdown() {
  std::string md =
      "# Scenario keys\n\n"
      "Generated by `mhsim keys` from the key table in `models/scenario/keys.cpp`; do not edit by hand.\n"
      "`<name>` is a name you choose; `<dist>` is any key that holds a distribution table.\n"
      "Every number in a shipped scenario carries a comment saying where it comes from.\n\n"
      "| key | type | unit | range | required / default | meaning |\n"
      "|---|---|---|---|---|---|\n";
  for (const KeySpec& k : network_keys()) {
    std::string range;
    if (k.type == KeyType::kInteger || k.type == KeyType::kNumber) {
      range = "[" + number_text(k.min) + ", " + number_text(k.max) + "]";
    } else if (k.type == KeyType::kChoice) {
      range = k.expectation().substr(7);
    } else if (k.type == KeyType::kRoutes) {
      range = "[0, 1], sum 1";
    }
    const std::string req = k.required ? "required" : std::string(k.default_text.empty() ? "optional" : k.default_text);
    md += "| `" + std::string(k.path) + "` | " + type_name(k.type) + " | " + std::string(k.unit) + " | " +
          range + " | " + req + " | " + std::string(k.doc) + " |\n";
  }
  return md;
}

}  // namespace mhsim::scenario
