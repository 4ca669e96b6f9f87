// SPDX-License-Identifier: MIT
#include "models/scenario/network_scenario.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "models/scenario/toml_reader.hpp"

namespace mhsim::scenario {

namespace {

using models::queueing::kExit;
using models::queueing::NetworkSpec;
using models::queueing::Route;
using models::queueing::StationSpec;


struct StationEntry {
  std::string name;
  const toml::table* table;
};

void read_run(TableReader& root, NetworkScenario& out) {
  const toml::table* run = root.table(key("run"));
  if (run == nullptr) return;
  TableReader r(*run, "run", "run", root.file(), root.diagnostics());
  if (auto v = r.integer(key("run.seed"))) out.run.seed = static_cast<std::uint64_t>(*v);
  if (auto v = r.integer(key("run.replications"))) out.run.replications = static_cast<std::uint64_t>(*v);
  const auto horizon = r.number(key("run.horizon_days"));
  if (horizon) {
    if (*horizon > 0.0) out.network.horizon = *horizon;
    else r.error("horizon_days", "a number > 0", number_text(*horizon));
  }
  if (auto w = r.number(key("run.warmup_days"))) {
    if (horizon && *w >= *horizon) {
      r.error("warmup_days", "a warm-up shorter than horizon_days (" + number_text(*horizon) + ")",
              number_text(*w));
    } else {
      out.network.warmup = *w;
    }
  }
  if (auto m = r.integer(key("run.max_in_system"))) out.network.max_in_system = static_cast<std::uint64_t>(*m);
  r.finish();
}

// Reads one station except its routes (which need every station's name first).
void read_station(TableReader& s, StationSpec& st) {
  if (auto v = s.integer(key("stations.<name>.servers"))) st.servers = *v;
  if (auto d = s.distribution(key("stations.<name>.service"))) st.service = *d;
  if (auto d = s.choice(key("stations.<name>.discipline"))) {
    st.discipline = *d == "priority" ? engine::Discipline::kPriority : engine::Discipline::kFifo;
  }
  if (auto q = s.integer(key("stations.<name>.queue_limit"))) st.queue_limit = static_cast<std::uint64_t>(*q);
  const bool has_rate = s.has("arrival_rate"), has_gap = s.has("interarrival");
  if (has_rate && has_gap) {
    s.error("interarrival", "either arrival_rate or interarrival, not both", "both");
  } else if (has_rate) {
    if (auto rate = s.number(key("stations.<name>.arrival_rate"))) {
      if (*rate > 0.0) st.interarrival = engine::Distribution(engine::dist::Exponential{1.0 / *rate});
      else s.error("arrival_rate", "a number > 0 (omit the key for no external arrivals)", number_text(*rate));
    }
  } else if (has_gap) {
    if (auto d = s.distribution(key("stations.<name>.interarrival"))) st.interarrival = *d;
  }
  if (auto p = s.integer(key("stations.<name>.arrival_priority"))) st.arrival_priority = static_cast<engine::Priority>(*p);
}

void read_routes(TableReader& s, StationSpec& st, const std::map<std::string, std::size_t>& index) {
  const KeySpec& spec = key("stations.<name>.routes");
  const toml::table* routes = s.table(spec);
  if (routes == nullptr) return;
  const std::string path = s.child_path("routes");
  Diagnostics& diag = s.diagnostics();
  double total = 0.0;
  bool ok = true;
  // Keep the file's order so the routing draw maps to targets as written.
  std::vector<std::pair<std::pair<std::uint32_t, std::uint32_t>, Route>> ordered;
  for (const auto& [k, node] : *routes) {
    const std::string target(k.str());
    const auto [line, col] = position(node, routes);
    const auto [kline, kcol] = key_position(k, node, routes);
    std::size_t t = kExit;
    if (target != "exit") {
      const auto it = index.find(target);
      if (it == index.end()) {
        std::string names = "\"exit\"";
        for (const auto& [n, i] : index) names += ", \"" + n + "\"";
        diag.add(Diagnostic{s.file(), kline, kcol, path + "." + target,
                            "a route to a station or to exit (one of " + names + ")",
                            "an unknown station \"" + target + "\""});
        ok = false;
        continue;
      }
      t = it->second;
    }
    double p = 0.0;
    if (const auto* i = node.as_integer()) p = static_cast<double>(i->get());
    else if (const auto* f = node.as_floating_point()) p = f->get();
    else {
      diag.add(Diagnostic{s.file(), line, col, path + "." + target, "a probability in [0, 1]", describe(node)});
      ok = false;
      continue;
    }
    if (!(p >= 0.0 && p <= 1.0)) {
      diag.add(Diagnostic{s.file(), line, col, path + "." + target, "a probability in [0, 1]", number_text(p)});
      ok = false;
      continue;
    }
    total += p;
    if (p > 0.0) ordered.push_back({{line, col}, Route{t, p}});
  }
  if (!ok) return;
  if (std::fabs(total - 1.0) > 1e-9) {
    const auto [line, col] = position(*routes, &s.raw());
    diag.add(Diagnostic{s.file(), line, col, path, "probabilities that sum to 1", "a sum of " + number_text(total)});
    return;
  }
  std::sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [pos, r] : ordered) st.routes.push_back(r);
}

// Every station that people can reach must offer a way out, or they circulate for ever.
void check_people_can_leave(const NetworkSpec& net, const std::vector<StationEntry>& entries,
                            const std::string& file, Diagnostics& diag) {
  const std::size_t n = net.stations.size();
  std::vector<bool> reachable(n, false), can_leave(n, false);
  std::vector<std::size_t> stack;
  for (std::size_t s = 0; s < n; ++s) {
    if (net.stations[s].interarrival) {
      reachable[s] = true;
      stack.push_back(s);
    }
  }
  while (!stack.empty()) {
    const std::size_t s = stack.back();
    stack.pop_back();
    for (const Route& r : net.stations[s].routes) {
      if (r.target != kExit && !reachable[r.target]) {
        reachable[r.target] = true;
        stack.push_back(r.target);
      }
    }
  }
  // can_leave: a path to exit exists (a refusal at a full waiting line is not relied on).
  bool changed = true;
  for (std::size_t s = 0; s < n; ++s) {
    if (net.stations[s].routes.empty()) can_leave[s] = true;
    for (const Route& r : net.stations[s].routes) {
      if (r.target == kExit) can_leave[s] = true;
    }
  }
  while (changed) {
    changed = false;
    for (std::size_t s = 0; s < n; ++s) {
      if (can_leave[s]) continue;
      for (const Route& r : net.stations[s].routes) {
        if (can_leave[r.target]) {
          can_leave[s] = true;
          changed = true;
          break;
        }
      }
    }
  }
  for (std::size_t s = 0; s < n; ++s) {
    if (!reachable[s] || can_leave[s]) continue;
    std::string loop;
    for (const Route& r : net.stations[s].routes) loop += (loop.empty() ? "" : ", ") + net.stations[r.target].name;
    const toml::node* routes = entries[s].table->get("routes");
    const auto [line, col] = routes ? position(*routes, entries[s].table) : position(*entries[s].table);
    diag.add(Diagnostic{file, line, col, "stations." + net.stations[s].name + ".routes",
                        "routes by which people who reach this station can eventually leave (a path to \"exit\")",
                        "routes only to stations that never lead to exit (" + loop + ")"});
  }
  bool any_arrivals = false;
  for (const StationSpec& st : net.stations) any_arrivals = any_arrivals || st.interarrival.has_value();
  if (n > 0 && !any_arrivals) {
    diag.add(Diagnostic{file, position(*entries.front().table).first, 1, "stations",
                        "at least one station with external arrivals (arrival_rate or interarrival)", "none"});
  }
}

NetworkScenario parse(std::string_view text, const std::string& file) {
  Diagnostics diag;
  NetworkScenario out;
  out.file = file;
  out.text = std::string(text);

  toml::table doc;
  try {
    doc = toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    const auto& b = e.source().begin;
    diag.add(Diagnostic{file, b.line, b.column, "", "valid TOML", std::string(e.description())});
    diag.throw_if_any();
  }

  TableReader root(doc, "", "", file, diag);
  // `model` selects the loader (scenario_model); this one reads network scenarios only.
  if (auto m = root.choice(key("model")); m && *m != "network") {
    root.error("model", "a queueing-network scenario (model = \"network\"); a " + *m + " scenario needs its own loader",
               "the string \"" + *m + "\"");
    diag.throw_if_any();
  }
  if (const toml::table* sc = root.table(key("scenario"))) {
    TableReader s(*sc, "scenario", "scenario", file, diag);
    if (auto v = s.string(key("scenario.name"))) out.name = *v;
    if (auto v = s.string(key("scenario.description"))) out.description = *v;
    s.finish();
  }
  if (out.name.empty()) {
    const auto slash = file.find_last_of('/');
    out.name = file.substr(slash == std::string::npos ? 0 : slash + 1);
  }
  read_run(root, out);

  std::vector<StationEntry> entries;
  if (const toml::table* stations = root.table(key("stations"))) {
    for (const auto& [k, node] : *stations) {
      const auto* t = node.as_table();
      if (t == nullptr) {
        const auto [line, col] = position(node, stations);
        diag.add(Diagnostic{file, line, col, "stations." + std::string(k.str()),
                            "a table describing a station ([stations." + std::string(k.str()) + "])", describe(node)});
        continue;
      }
      entries.push_back(StationEntry{std::string(k.str()), t});
    }
    // toml++ sorts keys; stations keep the order in which the file declares them.
    std::stable_sort(entries.begin(), entries.end(), [](const StationEntry& a, const StationEntry& b) {
      return position(*a.table) < position(*b.table);
    });
    if (entries.empty()) {
      const auto [line, col] = position(*stations, &doc);
      diag.add(Diagnostic{file, line, col, "stations", "at least one station", "none"});
    } else if (static_cast<double>(entries.size()) > limits::kMaxStations) {
      const auto [line, col] = position(*stations, &doc);
      diag.add(Diagnostic{file, line, col, "stations",
                          "at most " + number_text(limits::kMaxStations) + " stations",
                          std::to_string(entries.size())});
    }
  }
  root.finish();

  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < entries.size(); ++i) index[entries[i].name] = i;
  out.network.stations.resize(entries.size());
  const std::size_t errors_before_stations = diag.size();
  for (std::size_t i = 0; i < entries.size(); ++i) {
    StationSpec& st = out.network.stations[i];
    st.name = entries[i].name;
    TableReader s(*entries[i].table, "stations." + st.name, "stations.<name>", file, diag);
    read_station(s, st);
    read_routes(s, st, index);
    s.finish();
  }
  // Whole-network checks only make sense once every station reads cleanly.
  if (diag.size() == errors_before_stations && !entries.empty()) {
    check_people_can_leave(out.network, entries, file, diag);
  }
  diag.throw_if_any();
  return out;
}

}  // namespace

NetworkScenario parse_network_scenario(std::string_view text, const std::string& file) {
  return parse(text, file);
}

NetworkScenario load_network_scenario(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    throw ScenarioError({Diagnostic{path, 0, 0, "", "a readable scenario file",
                                    err ? std::string(std::strerror(err)) : "a file that cannot be opened"}});
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  return parse(buf.str(), path);
}

}  // namespace mhsim::scenario
