// SPDX-License-Identifier: MIT
#pragma once
// The keys of a queueing network's stations, declared once beside the structs of
// models/queueing/network.hpp (models/schema/schema.hpp says how).

#include <array>
#include <string_view>

#include "models/queueing/network.hpp"
#include "models/schema/limits.hpp"
#include "models/schema/schema.hpp"

namespace mhsim::models::queueing {

inline constexpr std::array<std::string_view, 2> kStationDisciplineNames = {"fifo", "priority"};

template <class V>
void describe(V& v, StationSpec& s) {
  using namespace schema;
  v(integer("servers", s.servers).range(1, limits::kMaxServers).unit("servers").required()
        .doc("Identical servers (staff, slots, beds) working in parallel."));
  v(distribution("service", s.service).unit("days").required().doc("Service time of one person at this station."));
  v(choice("discipline", s.discipline, kStationDisciplineNames).otherwise("\"fifo\"")
        .doc("Who is served next: first come first served, or smallest priority first (non-preemptive)."));
  v(integer("queue_limit", s.queue_limit).range(0, 1e12).unit("people").otherwise("unbounded")
        .doc("Longest waiting line; arrivals finding it full are refused and leave (0 = a loss system such as "
             "M/M/c/c)."));
  v(number("arrival_rate", s.arrival_rate).range(0, 1e9).unit("per day").otherwise("none")
        .doc("External Poisson arrivals (must be > 0). Give this or `interarrival`, not both."));
  v(distribution("interarrival", s.interarrival).unit("days").otherwise("none")
        .doc("Time between external arrivals, for renewal (non-Poisson) arrival processes."));
  v(integer("arrival_priority", s.arrival_priority).range(-1e6, 1e6).otherwise("0")
        .doc("Priority of external arrivals here; smaller is served first where discipline = \"priority\"."));
  v(routes("routes", s.routes, "stations", "station").exit("exit").unit("probability").otherwise("everyone exits")
        .doc("Where people go after service: `{ other_station = p, exit = q }`; probabilities in [0, 1] summing to 1."));
  v.check([&](auto& c) {
    if (c.present("arrival_rate") && c.present("interarrival")) {
      c.error("interarrival", "either arrival_rate or interarrival, not both", "both");
    } else if (c.present("arrival_rate") && c.ok("arrival_rate") && !(s.arrival_rate > 0.0)) {
      c.error("arrival_rate", "a number > 0 (omit the key for no external arrivals)", c.number(s.arrival_rate));
    }
  });
}

}  // namespace mhsim::models::queueing
