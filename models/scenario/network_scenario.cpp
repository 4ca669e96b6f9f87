// SPDX-License-Identifier: MIT
// A queueing-network scenario file: its root keys declared once (a station's beside its
// struct), read, checked and documented by the same generic visitors as a pathway file.
#include "models/scenario/network_scenario.hpp"

#include "models/queueing/network_schema.hpp"
#include "models/schema/paths.hpp"
#include "models/schema/check.hpp"
#include "models/schema/docs.hpp"
#include "models/scenario/toml_reader.hpp"

namespace mhsim::scenario {

namespace {

using models::queueing::kExit;
using models::queueing::NetworkSpec;
using models::queueing::Route;
using models::queueing::StationSpec;

constexpr std::array<std::string_view, 2> kModelNames = {"network", "pathway"};

void check_network(Validator& c, const NetworkScenario& sc);

template <class V>
void describe(V& v, NetworkScenario& sc) {
  using namespace schema;
  std::string model = "network";
  v(choice("model", model, kModelNames).otherwise("\"network\"").vary(Vary::kRun)
        .doc("Which model the file describes: a general queueing network, or the mental-health pathway model (which "
             "must say `model = \"pathway\"`)."));
  v(table("scenario").doc("Describes the scenario.").vary(Vary::kRun), [&](V& w) {
    w(text("name", sc.name).otherwise("file name").vary(Vary::kRun).doc("Short name shown in summaries and stored in results."));
    w(text("description", sc.description).otherwise("\"\"").vary(Vary::kRun)
          .doc("What the scenario represents and where its numbers come from."));
  });
  v(table("run").required().vary(Vary::kRun).doc("How to run the scenario."), [&](V& w) {
    w(integer("seed", sc.run.seed).range(0, limits::kMaxSeed).required().vary(Vary::kRun)
          .doc("Master seed; with the replication index and a stream name it fixes every random draw. `--seed` "
               "overrides it."));
    w(integer("replications", sc.run.replications).range(1, limits::kMaxReplications).required().vary(Vary::kRun)
          .doc("Independent replications. `--reps` overrides it."));
    w(number("horizon_days", sc.network.horizon).range(0, limits::kMaxHorizonDays).positive().unit("days").required()
          .vary(Vary::kRun).doc("Simulated time per replication (must be > 0)."));
    w(number("warmup_days", sc.network.warmup).range(0, limits::kMaxHorizonDays).unit("days").otherwise("0")
          .vary(Vary::kRun)
          .doc("Statistics are reset at this time (must be < horizon_days); queues and people in service are kept."));
    w(integer("max_in_system", sc.network.max_in_system).range(1, limits::kMaxInSystem).unit("people")
          .otherwise("10000000").vary(Vary::kRun)
          .doc("A replication with more people in the system at once stops with an error (guards against unstable "
               "scenarios)."));
    w.check([&](auto& c) {
      if (c.present("warmup_days") && c.ok("warmup_days") && c.ok("horizon_days") && c.present("horizon_days") &&
          sc.network.warmup >= sc.network.horizon) {
        c.error("warmup_days", "a warm-up shorter than horizon_days (" + c.number(sc.network.horizon) + ")",
                c.number(sc.network.warmup));
      }
    });
  });
  v(named("stations", sc.network.stations, "station").required().max_entries(limits::kMaxStations)
        .doc("One sub-table per station, named by the user (`[stations.triage]`). Stations keep the order of the file."),
    [&](V& w, StationSpec& s, std::size_t) { models::queueing::describe(w, s); });
  v.check([&](auto& c) { check_network(c, sc); });
}

// Every station that people can reach must offer a way out, or they circulate for ever.
void check_network(Validator& c, const NetworkScenario& sc) {
  if (!c.clean()) return;  // whole-network checks only make sense once every station reads cleanly
  const NetworkSpec& net = sc.network;
  const std::size_t n = net.stations.size();
  if (n == 0) return;
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
      if (r.probability > 0 && r.target != kExit && !reachable[r.target]) {
        reachable[r.target] = true;
        stack.push_back(r.target);
      }
    }
  }
  // can_leave: a path to exit exists (a refusal at a full waiting line is not relied on).
  for (std::size_t s = 0; s < n; ++s) {
    bool any = false;
    for (const Route& r : net.stations[s].routes) {
      if (!(r.probability > 0)) continue;
      any = true;
      if (r.target == kExit) can_leave[s] = true;
    }
    if (!any) can_leave[s] = true;
  }
  for (bool changed = true; changed;) {
    changed = false;
    for (std::size_t s = 0; s < n; ++s) {
      if (can_leave[s]) continue;
      for (const Route& r : net.stations[s].routes) {
        if (r.probability > 0 && can_leave[r.target]) {
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
    for (const Route& r : net.stations[s].routes) {
      if (r.probability > 0) loop += (loop.empty() ? "" : ", ") + net.stations[r.target].name;
    }
    c.error_at("stations." + net.stations[s].name + ".routes",
               "routes by which people who reach this station can eventually leave (a path to \"exit\")",
               "routes only to stations that never lead to exit (" + loop + ")");
  }
  bool any_arrivals = false;
  for (const StationSpec& st : net.stations) any_arrivals = any_arrivals || st.interarrival.has_value();
  if (!any_arrivals) {
    const Position at = c.source().table_position("stations." + net.stations.front().name);
    c.add_at("stations", Position{at.first, 1}, "at least one station with external arrivals (arrival_rate or interarrival)",
             "none");
  }
}

void finalize(NetworkScenario& sc) {
  if (sc.name.empty()) {
    const auto slash = sc.file.find_last_of('/');
    sc.name = sc.file.substr(slash == std::string::npos ? 0 : slash + 1);
  }
  for (StationSpec& st : sc.network.stations) {
    if (st.arrival_rate > 0) st.interarrival = engine::Distribution(engine::dist::Exponential{1.0 / st.arrival_rate});
  }
}

}  // namespace

NetworkScenario parse_network_scenario(std::string_view text, const std::string& file) {
  const toml::table doc = parse_toml(text, file);
  Diagnostics diag;
  // `model` selects the loader (scenario_model); this one reads network scenarios only.
  if (const toml::node* m = doc.get("model"); m != nullptr && m->is_string() && m->as_string()->get() == "pathway") {
    const auto [line, col] = position(*m, &doc);
    diag.add(Diagnostic{file, line, col, "model",
                        "a queueing-network scenario (model = \"network\"); a pathway scenario needs its own loader",
                        "the string \"pathway\""});
    diag.throw_if_any();
  }
  auto shared = std::make_shared<Source>();
  Source& source = *shared;
  source.file = file;
  NetworkScenario sc;
  sc.file = file;
  sc.text = std::string(text);
  NameScan scan(source, doc);
  describe(scan, sc);
  Reader::Context ctx{source, diag};
  Reader root(ctx, doc, "");
  describe(root, sc);
  root.finish();
  finalize(sc);
  Validator::Context vctx{source, diag};
  Validator v(vctx, "");
  describe(v, sc);
  diag.throw_if_any();
  sc.source = std::move(shared);
  return sc;
}

NetworkScenario apply_settings(const NetworkScenario& sc, const std::vector<std::string>& settings) {
  NetworkScenario out = sc;
  Diagnostics diag;
  for (const std::string& s : settings) {
    std::string key;
    SetValue value;
    const auto steps = split_setting(s, key, value) ? parse_path(key) : std::nullopt;
    if (!steps) {
      diag.add(Diagnostic{"command line", 0, 0, "--set", "key=value with a dotted key path", "\"" + s + "\""});
      continue;
    }
    Setter::Request r{*steps, &value, sc.source.get(), {}};
    Setter setter(r, 0);
    describe(setter, out);
    if (!r.result.ok()) {
      diag.add(Diagnostic{"command line", 0, 0, "--set " + key, r.result.found ? r.result.expected : "a key of the scenario",
                          r.result.found ? r.result.got : r.result.missing.empty() ? "\"" + key + "\"" : r.result.missing});
    }
  }
  diag.throw_if_any();
  finalize(out);
  Validator::Context vctx{*sc.source, diag};
  Validator v(vctx, "");
  describe(v, out);
  diag.throw_if_any();
  out.settings.insert(out.settings.end(), settings.begin(), settings.end());
  return out;
}

NetworkScenario load_network_scenario(const std::string& path) {
  return parse_network_scenario(read_scenario_file(path), path);
}

void document_network(DocRows& rows) {
  NetworkScenario sc;
  Docs docs(rows);
  describe(docs, sc);
}

}  // namespace mhsim::scenario
