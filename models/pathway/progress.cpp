// SPDX-License-Identifier: MIT
#include "models/pathway/progress.hpp"

#include <algorithm>
#include <set>

namespace mhsim::models::pathway {

namespace {

double highest(const ByYear& v) {
  double x = 0;
  for (const double y : v.values()) x = std::max(x, y);
  return x;
}

/// Whether an episode at `v` can end at the instant it starts: a duration with mass at 0
/// (sessions are at least one, an interval > 0 apart).
bool can_take_no_time(const ServiceSpec& v) {
  if (v.sessions || !v.duration) return false;
  return v.duration->cdf(0.0) > 0.0 || !(v.duration->mean() > 0.0);
}

struct Edge {
  std::size_t to;
  bool instant;     ///< can happen at the instant the service is reached
  std::string key;  ///< the key that makes the step
};

/// One arm's flows for one need group, as the model follows them.
class ArmFlows {
 public:
  ArmFlows(const PathwaySpec& spec, const ArmSpec& arm, std::size_t group) : spec_(spec), arm_(arm), group_(group) {
    const std::size_t S = spec.services.size();
    edges_.resize(S);
    exit_.assign(S, false);
    for (std::size_t s = 0; s < S; ++s) {
      if (arm.enabled[s] && !is_presentation(spec.services[s].kind)) add_steps(s);
    }
  }

  /// The services people of the group can be in, in this arm.
  std::vector<bool> reachable() const {
    const std::size_t S = spec_.services.size();
    std::vector<bool> seen(S, false);
    std::vector<std::size_t> stack;
    const auto from_outside = [&](std::size_t t) {
      const std::size_t s = referred(t, kDischarge);
      if (s != kDischarge && !seen[s]) {
        seen[s] = true;
        stack.push_back(s);
      }
    };
    if (group_ < arm_.entry.size()) {
      for (const Route& r : arm_.entry[group_]) {
        if (r.probability > 0) from_outside(r.target);
      }
    }
    for (const InitialStock& st : spec_.initial) {
      if (st.group == group_ && st.service < S && arm_.enabled[st.service] && !seen[st.service]) {
        seen[st.service] = true;
        stack.push_back(st.service);
      }
    }
    const UnmetNeed& unmet = spec_.population.groups[group_].unmet;
    for (const Route& r : unmet.represent_to) {
      if (r.probability > 0) from_outside(r.target);
    }
    from_outside(unmet.crisis_to);
    for (const ServiceSpec& v : spec_.services) {
      from_outside(v.relapse_to);  // from follow-up, outside services
      from_outside(v.crisis_to);   // untreated crises take the needed service's destination
    }
    while (!stack.empty()) {
      const std::size_t s = stack.back();
      stack.pop_back();
      for (const Edge& e : edges_[s]) {
        if (!seen[e.to]) {
          seen[e.to] = true;
          stack.push_back(e.to);
        }
      }
    }
    return seen;
  }

  /// Services from which some path leads out of services.
  std::vector<bool> can_leave() const {
    std::vector<bool> out = exit_;
    for (bool changed = true; changed;) {
      changed = false;
      for (std::size_t s = 0; s < out.size(); ++s) {
        if (out[s]) continue;
        for (const Edge& e : edges_[s]) {
          if (out[e.to]) {
            out[s] = true;
            changed = true;
            break;
          }
        }
      }
    }
    return out;
  }

  /// A cycle of instant steps from `s` back to `s` (the edges taken), or nothing.
  std::vector<const Edge*> instant_cycle(std::size_t s) const {
    std::vector<const Edge*> path;
    std::vector<bool> visited(spec_.services.size(), false);
    return walk(s, s, visited, path) ? path : std::vector<const Edge*>{};
  }

  const std::vector<Edge>& edges(std::size_t s) const { return edges_[s]; }

 private:
  // The simulation's own rules (models/pathway/pathway.hpp): the service that takes a
  // referral to `t`, and where a referral to `t` from `from` goes.
  std::size_t resolve(std::size_t t) const { return taking_service(spec_, arm_, t); }
  std::size_t referred(std::size_t t, std::size_t from) const { return referral_destination(spec_, arm_, t, from); }
  // A step from s to a referral target `t`; a referral no service takes leaves services.
  void step(std::size_t s, std::size_t t, std::size_t from, bool instant, const std::string& key) {
    const std::size_t to = referred(t, from);
    if (to == kDischarge) exit_[s] = true;
    else edges_[s].push_back(Edge{to, instant, key});
  }

  void add_steps(std::size_t s) {
    const ServiceSpec& v = spec_.services[s];
    const std::string at = "services." + v.name + ".";
    const bool zero = can_take_no_time(v);
    if (v.dropout_probability > 0) exit_[s] = true;  // leaves part-way, with the need unmet
    if (v.dropout_probability < 1) {
      const bool own = group_ < v.routes_by_group.size() && v.routes_by_group[group_].has_value();
      const Routes& routes = own ? *v.routes_by_group[group_] : v.routes;
      const std::string key = own ? at + "routes_by_group." + spec_.population.groups[group_].name : at + "routes";
      const bool diverts = is_front_door(v.kind) && highest(arm_.front_door_diversion) > 0;
      const auto follow = [&](const Routes& rs, const std::string& k) {
        if (rs.empty()) exit_[s] = true;  // everyone is discharged
        for (const Route& r : rs) {
          if (!(r.probability > 0)) continue;
          if (r.target == kDischarge) {
            exit_[s] = true;
            continue;
          }
          step(s, r.target, s, zero, k);
          const std::size_t resolved = resolve(r.target);
          if (diverts && resolved != kDischarge && is_secondary(spec_.services[resolved].kind)) {
            // Kept by the front door: to diversion_to, or without a service when the arm has none.
            if (resolve(arm_.diversion_to) == kDischarge) exit_[s] = true;
            else step(s, arm_.diversion_to, s, zero, "arms." + arm_.name + ".diversion_to");
          }
        }
      };
      follow(routes, key);
      // Routes by history may apply instead: every step either can take is a possible step.
      for (std::size_t k = 0; k < arm_.history_routes.size(); ++k) {
        const HistoryRoutes& h = arm_.history_routes[k];
        if (h.service != s || (!h.groups.empty() && !(group_ < h.groups.size() && h.groups[group_]))) continue;
        follow(h.routes, "arms." + arm_.name + ".history_routes[" + std::to_string(k) + "].routes");
      }
    }
    if (v.crisis_per_year > 0) step(s, v.crisis_to, s, false, at + "crisis_to");  // after some time in the episode
    if (v.gatekept && arm_.capacity[s] > 0 && highest(arm_.gatekeeping) > 0) {
      step(s, v.rejected_to, kDischarge, true, at + "rejected_to");  // refused at the instant of referral
    }
    if (v.overflow != kDischarge && arm_.capacity[s] > 0) {
      const std::size_t o = resolve(v.overflow);
      if (o != kDischarge && o != s) edges_[s].push_back(Edge{o, true, at + "overflow"});
    }
  }

  bool walk(std::size_t at, std::size_t goal, std::vector<bool>& visited, std::vector<const Edge*>& path) const {
    for (const Edge& e : edges_[at]) {
      if (!e.instant) continue;
      path.push_back(&e);
      if (e.to == goal) return true;
      if (!visited[e.to]) {
        visited[e.to] = true;
        if (walk(e.to, goal, visited, path)) return true;
      }
      path.pop_back();
    }
    return false;
  }

  const PathwaySpec& spec_;
  const ArmSpec& arm_;
  std::size_t group_;
  std::vector<std::vector<Edge>> edges_;
  std::vector<bool> exit_;
};

std::string in_arm(const PathwaySpec& spec, const ArmSpec& arm, std::size_t group) {
  std::string where = "in arm \"" + arm.name + "\"";
  if (spec.population.groups.size() > 1) where += " for need group \"" + spec.population.groups[group].name + "\"";
  return where;
}

}  // namespace

std::vector<FlowProblem> progress_problems(const PathwaySpec& spec) {
  std::vector<FlowProblem> out;
  std::set<std::string> reported;  // each rule once per key, at the first arm and group that show it
  const auto report = [&](const std::string& key, std::string expected, std::string got) {
    if (reported.insert(key + "\n" + expected).second) out.push_back(FlowProblem{key, std::move(expected), std::move(got)});
  };
  const std::size_t S = spec.services.size();
  const auto name = [&](std::size_t s) { return spec.services[s].name; };
  for (const ArmSpec& arm : spec.arms) {
    if (arm.enabled.size() != S) continue;
    // Redirects apply once: a target that is redirected again cannot mean what it says.
    for (std::size_t s = 0; s < arm.redirect.size() && s < S; ++s) {
      const std::size_t t = arm.redirect[s];
      if (t == kDischarge || t >= S || arm.redirect[t] == kDischarge) continue;
      report("arms." + arm.name + ".redirect." + name(s),
             "a redirect to a service that is not redirected itself (a redirect applies once)",
             "\"" + name(t) + "\", which the arm redirects to \"" +
                 (arm.redirect[t] < S ? name(arm.redirect[t]) : std::string("discharge")) + "\"" +
                 (t == s ? " (itself)" : ""));
    }
    for (std::size_t g = 0; g < spec.population.groups.size(); ++g) {
      const ArmFlows flows(spec, arm, g);
      const std::vector<bool> reach = flows.reachable(), leave = flows.can_leave();
      for (std::size_t s = 0; s < S; ++s) {
        if (!reach[s]) continue;
        const std::vector<const Edge*> cycle = flows.instant_cycle(s);
        if (!cycle.empty()) {
          std::string text = name(s);
          std::size_t lowest = s;
          for (const Edge* e : cycle) {
            text += " -> " + name(e->to) + " (" + e->key + ")";
            lowest = std::min(lowest, e->to);
          }
          if (lowest == s) {  // once per cycle, from its first service
            report(cycle.front()->key,
                   "flows in which time passes on every cycle (an episode that can take no time, a refusal and an "
                   "overflow all happen at one instant)",
                   "a cycle of steps that can all take no time " + in_arm(spec, arm, g) + ": " + text);
          }
        }
      }
      // Services people reach and never leave, reported once at the first of them.
      std::string list, first_key;
      for (std::size_t s = 0; s < S; ++s) {
        if (!reach[s] || leave[s]) continue;
        if (list.empty()) {
          first_key = flows.edges(s).empty() ? "services." + name(s) + ".routes" : flows.edges(s).front().key;
        }
        list += (list.empty() ? "" : ", ") + name(s);
      }
      if (!list.empty()) {
        report(first_key,
               "routes by which people can leave services (a path to discharge, a drop-out, or a refusal or diversion "
               "to no service)",
               "routes " + in_arm(spec, arm, g) + " that keep everyone who reaches " + list +
                   " among services that never lead out: they stay until they die, move away or the run ends");
      }
    }
  }
  return out;
}

}  // namespace mhsim::models::pathway
