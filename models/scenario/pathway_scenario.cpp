// SPDX-License-Identifier: MIT
#include "models/scenario/pathway_scenario.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "models/scenario/toml_reader.hpp"

namespace mhsim::scenario {

namespace {

using models::pathway::ArmSpec;
using models::pathway::ExitHazards;
using models::pathway::InitialStock;
using models::pathway::kDischarge;
using models::pathway::kServiceKindNames;
using models::pathway::kSiofDomainNames;
using models::pathway::kSiofDomains;
using models::pathway::NeedGroup;
using models::pathway::PathwaySpec;
using models::pathway::Routes;
using models::pathway::ScoreChange;
using models::pathway::ServiceKind;
using models::pathway::ServiceSpec;

constexpr std::string_view kDischargeWord = "discharge";

/// Names declared in the file, in index order.
struct Names {
  std::vector<std::string> list;
  std::map<std::string, std::size_t, std::less<>> index;

  explicit Names(const std::vector<NamedTable>& tables) {
    for (const NamedTable& t : tables) {
      index.emplace(t.name, list.size());
      list.push_back(t.name);
    }
  }
  std::optional<std::size_t> find(std::string_view name) const {
    const auto it = index.find(name);
    if (it == index.end()) return std::nullopt;
    return it->second;
  }
  std::string quoted(bool with_discharge = false) const {
    std::string out = with_discharge ? "\"discharge\"" : "";
    for (const std::string& n : list) out += (out.empty() ? "\"" : ", \"") + n + "\"";
    return out;
  }
};

std::vector<std::string> domain_names() { return {kSiofDomainNames.begin(), kSiofDomainNames.end()}; }

template <std::size_t N>
std::array<double, N> to_array(const std::vector<double>& v) {
  std::array<double, N> out{};
  std::copy_n(v.begin(), std::min(N, v.size()), out.begin());
  return out;
}

Routes to_routes(const RouteList& list) {
  Routes out;
  for (const auto& [target, p] : list) out.push_back({target == kRouteExit ? kDischarge : target, p});
  return out;
}

/// Reads a key that names something declared elsewhere (a partner, a group, a service, or
/// "discharge" when `discharge_ok`). Returns the index (kDischarge for "discharge"), or
/// nothing when the key is absent or bad (reported).
std::optional<std::size_t> reference(TableReader& r, const KeySpec& spec, const Names& names, std::string_view noun,
                                     bool discharge_ok = false) {
  const std::optional<std::string> name = r.string(spec);
  if (!name) return std::nullopt;
  if (discharge_ok && *name == kDischargeWord) return kDischarge;
  if (auto i = names.find(*name)) return i;
  const std::string expected = "the name of a " + std::string(noun) + (discharge_ok ? " or \"discharge\"" : "") +
                               " (one of " + names.quoted(discharge_ok) + ")";
  r.error(spec.leaf(), expected,
          *name == kDischargeWord ? "\"discharge\", which is not allowed here"
                                  : "an unknown " + std::string(noun) + " \"" + *name + "\"");
  return std::nullopt;
}

/// A number that must also be > 0 (the key's range includes 0 so that it prints simply).
std::optional<double> positive(TableReader& r, const KeySpec& spec) {
  const std::optional<double> v = r.number(spec);
  if (v && !(*v > 0.0)) {
    r.error(spec.leaf(), "a number > 0", number_text(*v));
    return std::nullopt;
  }
  return v;
}

class PathwayReader {
 public:
  PathwayReader(std::string_view text, const std::string& file) : file_(file) {
    out_.file = file;
    out_.text = std::string(text);
  }

  PathwayScenario read() {
    const toml::table doc = parse_toml(out_.text, file_);
    TableReader root(doc, "", "", file_, diag_, KeyModel::kPathway);
    read_model(doc, root);
    if (const toml::table* sc = root.table(key("scenario"))) {
      TableReader s = root.sub(*sc, "scenario", "scenario");
      if (auto v = s.string(key("scenario.name"))) out_.name = *v;
      if (auto v = s.string(key("scenario.description"))) out_.description = *v;
      s.finish();
    }
    if (out_.name.empty()) {
      const auto slash = file_.find_last_of('/');
      out_.name = file_.substr(slash == std::string::npos ? 0 : slash + 1);
    }
    read_run(root);
    if (const toml::table* pop = root.table(key("population"))) {
      TableReader p = root.sub(*pop, "population", "population");
      if (auto v = positive(p, key("population.size"))) spec().population.size = *v;
      p.finish();
    }

    // Every name first: the tables refer to each other.
    groups_ = named_tables(root, key("groups"), "need group", limits::kMaxGroups);
    partners_ = named_tables(root, key("partners"), "partner", limits::kMaxServices);
    services_ = named_tables(root, key("services"), "service", limits::kMaxServices);
    arms_ = named_tables(root, key("arms"), "arm", limits::kMaxArms);
    const Names groups(groups_), partners(partners_), services(services_);

    spec().population.groups.resize(groups_.size());
    spec().exits.resize(groups_.size());
    for (std::size_t g = 0; g < groups_.size(); ++g) read_group(root, g);
    spec().partners.resize(partners_.size());
    for (std::size_t p = 0; p < partners_.size(); ++p) read_partner(root, p);
    spec().services.resize(services_.size());
    for (std::size_t s = 0; s < services_.size(); ++s) read_service(root, s, groups, partners, services);
    spec().arms.resize(arms_.size());
    for (std::size_t a = 0; a < arms_.size(); ++a) read_arm(root, a, groups, services);
    read_initial(root, groups, services);
    read_outcomes(root);
    root.finish();

    // Whole-scenario checks only make sense once everything reads cleanly.
    if (diag_.empty()) check_overflow();
    if (diag_.empty()) check_fallbacks();
    if (diag_.empty()) {
      // A safety net: the model's own consistency check should find nothing left.
      for (const std::string& problem : models::pathway::check_spec(spec())) {
        diag_.add(Diagnostic{file_, 0, 0, "", "a consistent pathway specification", problem});
      }
    }
    diag_.throw_if_any();
    return std::move(out_);
  }

 private:
  PathwaySpec& spec() { return out_.spec; }

  void read_model(const toml::table& doc, TableReader& root) {
    if (!doc.contains("model")) {
      const auto [line, col] = position(doc);
      diag_.add(Diagnostic{file_, line, col, "model", "model = \"pathway\" (required in a pathway scenario)",
                           "nothing (the key is missing)"});
      diag_.throw_if_any();
    }
    const std::optional<std::string> m = root.choice(key("model"));
    if (m && *m != "pathway") {
      root.error("model", "\"pathway\" (this is the pathway loader)", "the string \"" + *m + "\"");
    }
    // Reading a file of another model as a pathway would only add noise.
    diag_.throw_if_any();
  }

  void read_run(TableReader& root) {
    const toml::table* run = root.table(key("run"));
    if (run == nullptr) return;
    TableReader r = root.sub(*run, "run", "run");
    if (auto v = r.integer(key("run.seed"))) out_.run.seed = static_cast<std::uint64_t>(*v);
    if (auto v = r.integer(key("run.replications"))) out_.run.replications = static_cast<std::uint64_t>(*v);
    if (auto v = r.integer(key("run.years"))) spec().years = static_cast<int>(*v);
    if (auto v = r.integer(key("run.max_in_system"))) spec().max_in_system = static_cast<std::uint64_t>(*v);
    r.finish();
  }

  void read_group(TableReader& root, std::size_t g) {
    NeedGroup& n = spec().population.groups[g];
    ExitHazards& exits = spec().exits[g];
    n.name = groups_[g].name;
    TableReader r = root.sub(*groups_[g].table, "groups." + n.name, "groups.<name>");
    if (auto v = r.number(key("groups.<name>.rate_per_1000_per_year"))) n.rate_per_1000_per_year = *v;
    if (auto v = r.numbers(key("groups.<name>.monthly_multiplier"))) {
      if (v->size() == n.monthly_multiplier.size()) {
        std::copy(v->begin(), v->end(), n.monthly_multiplier.begin());
      } else {
        r.error("monthly_multiplier", "an array of exactly 12 numbers (one per month, January first)",
                std::to_string(v->size()) + " numbers");
      }
    }
    if (const toml::table* risk = r.table(key("groups.<name>.risk"))) {
      TableReader k = r.sub(*risk, r.child_path("risk"), "groups.<name>.risk");
      if (auto a = positive(k, key("groups.<name>.risk.a"))) n.risk_beta_a = *a;
      if (auto b = positive(k, key("groups.<name>.risk.b"))) n.risk_beta_b = *b;
      k.finish();
    }
    if (auto v = r.number(key("groups.<name>.wemwbs_mean"))) n.wemwbs_mean = *v;
    if (auto v = positive(r, key("groups.<name>.wemwbs_sd"))) n.wemwbs_sd = *v;
    if (auto v = r.number(key("groups.<name>.goals_mean"))) n.goals_mean = *v;
    if (auto w = r.by_name(key("groups.<name>.goal_domain_weights"), domain_names(), "SIOF domain", 0.0)) {
      n.goal_domain_weights = to_array<kSiofDomains>(*w);
      const bool any = std::any_of(w->begin(), w->end(), [](double x) { return x > 0.0; });
      if (n.goals_mean > 0.0 && !any) {
        r.error("goal_domain_weights",
                "at least one weight > 0 (goals_mean is " + number_text(n.goals_mean) + ")", "every weight 0");
      }
    }
    if (auto v = r.number(key("groups.<name>.death_per_year"))) exits.death_per_year = *v;
    if (auto v = r.number(key("groups.<name>.move_away_per_year"))) exits.move_away_per_year = *v;
    r.finish();
  }

  void read_partner(TableReader& root, std::size_t p) {
    models::pathway::PartnerSpec& partner = spec().partners[p];
    partner.name = partners_[p].name;
    TableReader r = root.sub(*partners_[p].table, "partners." + partner.name, "partners.<name>");
    if (auto v = r.choice(key("partners.<name>.kind"))) partner.kind = *v;
    r.finish();
  }

  static void read_change(TableReader& r, std::string_view leaf, ScoreChange& change) {
    const std::string pattern = "services.<name>." + std::string(leaf);
    const toml::table* t = r.table(key(pattern));
    if (t == nullptr) return;
    TableReader c = r.sub(*t, r.child_path(leaf), pattern);
    if (auto v = c.number(key(pattern + ".mean"))) change.mean = *v;
    if (auto v = c.number(key(pattern + ".sd"))) change.sd = *v;
    c.finish();
  }

  void read_service(TableReader& root, std::size_t i, const Names& groups, const Names& partners,
                    const Names& services) {
    ServiceSpec& s = spec().services[i];
    s.name = services_[i].name;
    TableReader r = root.sub(*services_[i].table, "services." + s.name, "services.<name>");
    if (s.name == kDischargeWord) {
      r.error_here("a service name other than \"discharge\" (it names the way out of services)",
                   "a service called \"discharge\"");
    }
    std::optional<std::string> kind = r.choice(key("services.<name>.kind"));
    if (kind) {
      const auto it = std::find(kServiceKindNames.begin(), kServiceKindNames.end(), *kind);
      s.kind = static_cast<ServiceKind>(it - kServiceKindNames.begin());
    }
    if (auto p = reference(r, key("services.<name>.partner"), partners, "partner")) s.partner = *p;
    if (auto v = r.integer(key("services.<name>.capacity"))) s.capacity = *v;
    if (auto v = r.choice(key("services.<name>.discipline"))) {
      s.discipline = *v == "priority" ? engine::Discipline::kPriority : engine::Discipline::kFifo;
    }
    if (auto o = reference(r, key("services.<name>.overflow"), services, "service")) s.overflow = *o;

    const bool has_duration = r.has("duration"), has_sessions = r.has("sessions");
    if (has_duration && has_sessions) {
      r.error("sessions", "either duration or sessions, not both", "both");
    } else if (has_duration) {
      s.duration = r.distribution(key("services.<name>.duration"));
    } else if (has_sessions) {
      s.sessions = r.distribution(key("services.<name>.sessions"));
    } else {
      r.error_here("an episode length: a \"duration\" or a \"sessions\" distribution", "neither");
    }
    if (auto v = positive(r, key("services.<name>.session_interval_days"))) s.session_interval_days = *v;
    if (auto v = r.number(key("services.<name>.contacts_per_week"))) s.contacts_per_week = *v;
    if (auto v = r.number(key("services.<name>.dropout_probability"))) s.dropout_probability = *v;
    if (auto v = r.number(key("services.<name>.recovery_probability"))) s.recovery_probability = *v;
    read_change(r, "wemwbs_change", s.wemwbs_change);
    read_change(r, "wemwbs_change_recovered", s.wemwbs_change_recovered);
    if (auto v = r.number(key("services.<name>.cost_per_contact"))) s.cost_per_contact = *v;
    if (auto v = r.number(key("services.<name>.cost_per_day"))) s.cost_per_day = *v;
    if (auto v = r.number(key("services.<name>.cost_per_episode"))) s.cost_per_episode = *v;
    if (auto v = r.number(key("services.<name>.annual_fixed_cost"))) s.annual_fixed_cost = *v;

    // Hazards that send people somewhere need the somewhere.
    const auto hazard = [&](std::string_view rate_leaf, std::string_view to_leaf, double& rate, std::size_t& to) {
      if (auto v = r.number(key("services.<name>." + std::string(rate_leaf)))) rate = *v;
      if (auto t = reference(r, key("services.<name>." + std::string(to_leaf)), services, "service")) to = *t;
      if (rate > 0.0 && !r.raw().contains(to_leaf)) {
        r.error(to_leaf,
                "the name of a service (required when " + std::string(rate_leaf) + " > 0; one of " +
                    services.quoted() + ")",
                "nothing (the key is missing)");
      }
    };
    hazard("crisis_per_year", "crisis_to", s.crisis_per_year, s.crisis_to);
    hazard("relapse_per_year", "relapse_to", s.relapse_per_year, s.relapse_to);

    const RouteTargets targets{services.list, std::string(kDischargeWord), "service"};
    if (auto routes = r.routes(key("services.<name>.routes"), targets)) s.routes = to_routes(*routes);
    s.routes_by_group.assign(groups.list.size(), std::nullopt);
    if (const toml::table* by_group = r.table(key("services.<name>.routes_by_group"))) {
      TableReader b = r.sub(*by_group, r.child_path("routes_by_group"), "services.<name>.routes_by_group");
      for (const auto& [k, node] : *by_group) {
        const std::optional<std::size_t> g = groups.find(k.str());
        if (!g) {
          const auto [line, col] = key_position(k, node, by_group);
          diag_.add(Diagnostic{file_, line, col, b.child_path(k.str()),
                               "a need group (one of " + groups.quoted() + ")",
                               "an unknown need group \"" + std::string(k.str()) + "\""});
          continue;
        }
        if (auto routes = b.routes(key("services.<name>.routes_by_group.<group>"), targets, k.str())) {
          s.routes_by_group[*g] = to_routes(*routes);
        }
      }
    }
    if (auto f = reference(r, key("services.<name>.fallback"), services, "service", true)) s.fallback = *f;
    if (auto v = r.boolean(key("services.<name>.gatekept"))) s.gatekept = *v;
    if (auto t = reference(r, key("services.<name>.rejected_to"), services, "service", true)) s.rejected_to = *t;

    if (const toml::table* goals = r.table(key("services.<name>.goals"))) {
      if (kind && s.kind != ServiceKind::kAllianceSupport) {
        r.error("goals", "no goals table (goals are for services of kind \"alliance_support\")",
                "a goals table on a service of kind \"" + *kind + "\"");
      } else if (kind) {
        TableReader g = r.sub(*goals, r.child_path("goals"), "services.<name>.goals");
        const std::vector<std::string> domains = domain_names();
        const auto rates = [&](std::string_view leaf, std::array<double, kSiofDomains>& into) {
          if (auto v = g.by_name(key("services.<name>.goals." + std::string(leaf)), domains, "SIOF domain", 0.0)) {
            into = to_array<kSiofDomains>(*v);
          }
        };
        rates("achieve_per_year", s.goals.achieve_per_year);
        rates("close_per_year", s.goals.close_per_year);
        rates("fail_per_year", s.goals.fail_per_year);
        rates("lapse_per_year", s.goals.lapse_per_year);
        if (auto v = g.number(key("services.<name>.goals.wemwbs_per_goal_achieved"))) {
          s.goals.wemwbs_per_goal_achieved = *v;
        }
        g.finish();
      }
    }
    r.finish();
  }

  void read_arm(TableReader& root, std::size_t a, const Names& groups, const Names& services) {
    ArmSpec& arm = spec().arms[a];
    arm.name = arms_[a].name;
    TableReader r = root.sub(*arms_[a].table, "arms." + arm.name, "arms.<name>");
    const std::size_t n = services.list.size();
    arm.enabled.assign(n, true);
    arm.capacity.resize(n);
    for (std::size_t s = 0; s < n; ++s) arm.capacity[s] = spec().services[s].capacity;

    if (r.has("services")) {
      const toml::node& node = *r.raw().get("services");
      if (const auto* list = node.as_array()) {
        arm.enabled.assign(n, false);
        for (std::size_t i = 0; i < list->size(); ++i) {
          const toml::node& item = *list->get(i);
          const auto* name = item.as_string();
          const std::optional<std::size_t> s = name ? services.find(name->get()) : std::nullopt;
          if (s) {
            arm.enabled[*s] = true;
            continue;
          }
          const auto [line, col] = position(item, &node);
          diag_.add(Diagnostic{file_, line, col, r.child_path("services") + "[" + std::to_string(i) + "]",
                               "the name of a service (one of " + services.quoted() + ")",
                               name ? "an unknown service \"" + name->get() + "\"" : describe(item)});
        }
      } else {
        r.error("services", key("arms.<name>.services").expectation(), describe(node));
      }
    }

    if (const toml::table* capacity = r.table(key("arms.<name>.capacity"))) {
      TableReader c = r.sub(*capacity, r.child_path("capacity"), "arms.<name>.capacity");
      for (const auto& [k, node] : *capacity) {
        const std::optional<std::size_t> s = services.find(k.str());
        if (!s) {
          const auto [line, col] = key_position(k, node, capacity);
          diag_.add(Diagnostic{file_, line, col, c.child_path(k.str()),
                               "a service (one of " + services.quoted() + ")",
                               "an unknown service \"" + std::string(k.str()) + "\""});
          continue;
        }
        if (auto v = c.integer(key("arms.<name>.capacity.<service>"), k.str())) arm.capacity[*s] = *v;
      }
    }

    if (const toml::table* entry = r.table(key("arms.<name>.entry"))) {
      TableReader e = r.sub(*entry, r.child_path("entry"), "arms.<name>.entry");
      const RouteTargets targets{services.list, std::string(kDischargeWord), "service", arm.enabled,
                                 "in arm \"" + arm.name + "\""};
      arm.entry.resize(groups.list.size());
      for (std::size_t g = 0; g < groups.list.size(); ++g) {
        if (auto routes = e.routes(key("arms.<name>.entry.<group>"), targets, groups.list[g])) {
          arm.entry[g] = to_routes(*routes);
        }
      }
      for (const auto& [k, node] : *entry) {
        if (groups.find(k.str())) continue;
        const auto [line, col] = key_position(k, node, entry);
        diag_.add(Diagnostic{file_, line, col, e.child_path(k.str()), "a need group (one of " + groups.quoted() + ")",
                             "an unknown need group \"" + std::string(k.str()) + "\""});
      }
    }

    if (auto v = r.number(key("arms.<name>.gatekeeping"))) arm.gatekeeping = *v;
    if (auto v = r.number(key("arms.<name>.handoff_loss"))) arm.handoff_loss = *v;
    if (auto v = r.number(key("arms.<name>.front_door_diversion"))) arm.front_door_diversion = *v;
    if (auto t = reference(r, key("arms.<name>.diversion_to"), services, "service", true)) arm.diversion_to = *t;
    if (arm.front_door_diversion > 0.0 && !r.raw().contains("diversion_to")) {
      r.error("diversion_to",
              "a service or \"discharge\" (required when front_door_diversion > 0; one of " +
                  services.quoted(true) + ")",
              "nothing (the key is missing)");
    }
    if (const toml::table* redirect = r.table(key("arms.<name>.redirect"))) {
      TableReader d = r.sub(*redirect, r.child_path("redirect"), "arms.<name>.redirect");
      arm.redirect.assign(n, kDischarge);
      for (const auto& [k, node] : *redirect) {
        const std::optional<std::size_t> from = services.find(k.str());
        if (!from) {
          const auto [line, col] = key_position(k, node, redirect);
          diag_.add(Diagnostic{file_, line, col, d.child_path(k.str()),
                               "a service (one of " + services.quoted() + ")",
                               "an unknown service \"" + std::string(k.str()) + "\""});
          continue;
        }
        const std::optional<std::string> to = d.string(key("arms.<name>.redirect.<service>"), k.str());
        if (!to) continue;
        if (auto t = services.find(*to)) {
          arm.redirect[*from] = *t;
        } else {
          d.error(k.str(), "the name of a service (one of " + services.quoted() + ")",
                  *to == kDischargeWord ? "\"discharge\", which is not allowed here"
                                        : "an unknown service \"" + *to + "\"");
        }
      }
    }
    if (auto v = positive(r, key("arms.<name>.step_down_speed"))) arm.step_down_speed = *v;
    r.finish();
  }

  void read_initial(TableReader& root, const Names& groups, const Names& services) {
    if (!root.has("initial")) return;
    const toml::node& node = *root.raw().get("initial");
    const auto* list = node.as_array();
    if (list == nullptr) {
      root.error("initial", key("initial").expectation(), describe(node));
      return;
    }
    double total = 0.0;
    for (std::size_t i = 0; i < list->size(); ++i) {
      const toml::node& item = *list->get(i);
      const std::string path = "initial[" + std::to_string(i) + "]";
      const auto* t = item.as_table();
      if (t == nullptr) {
        const auto [line, col] = position(item, &node);
        diag_.add(Diagnostic{file_, line, col, path, "a table ([[initial]])", describe(item)});
        continue;
      }
      TableReader r = root.sub(*t, path, "initial");
      InitialStock st;
      const auto service = reference(r, key("initial.service"), services, "service");
      const auto group = reference(r, key("initial.group"), groups, "need group");
      if (auto v = r.integer(key("initial.in_service"))) st.in_service = static_cast<std::uint64_t>(*v);
      if (auto v = r.integer(key("initial.waiting"))) st.waiting = static_cast<std::uint64_t>(*v);
      r.finish();
      total += static_cast<double>(st.in_service) + static_cast<double>(st.waiting);
      if (service && group) {
        st.service = *service;
        st.group = *group;
        spec().initial.push_back(st);
      }
    }
    if (total > limits::kMaxInitialPeople) {
      const auto [line, col] = position(node, &root.raw());
      diag_.add(Diagnostic{file_, line, col, "initial",
                           "at most " + number_text(limits::kMaxInitialPeople) + " people in the starting caseload",
                           number_text(total)});
    }
  }

  void read_outcomes(TableReader& root) {
    const toml::table* t = root.table(key("outcomes"));
    if (t == nullptr) return;
    models::pathway::OutcomeSpec& o = spec().outcomes;
    TableReader r = root.sub(*t, "outcomes", "outcomes");
    if (auto v = r.number(key("outcomes.follow_up_days"))) o.follow_up_days = *v;
    if (auto v = r.number(key("outcomes.readmission_window_days"))) o.readmission_window_days = *v;
    if (auto v = r.number(key("outcomes.goal_sustain_days"))) o.goal_sustain_days = *v;
    if (auto v = r.number(key("outcomes.utility_intercept"))) o.utility_intercept = *v;
    if (auto v = r.number(key("outcomes.utility_slope"))) o.utility_slope = *v;
    if (auto v = r.number(key("outcomes.min_utility"))) o.min_utility = *v;
    r.finish();
  }

  // ---- whole-scenario checks ----------------------------------------------------------

  void error_at(const toml::table& table, const std::string& path, std::string_view leaf, std::string expected,
                std::string got) {
    TableReader(table, path, "", file_, diag_, KeyModel::kPathway).error(leaf, std::move(expected), std::move(got));
  }

  std::string service_error_path(std::size_t s) const { return "services." + spec_const().services[s].name; }
  const PathwaySpec& spec_const() const { return out_.spec; }

  // Follows `next` from s. Returns the services visited (s first) when the walk comes back
  // to s without reaching `stop`, else nothing.
  template <class Next, class Stop>
  std::optional<std::vector<std::size_t>> cycle_from(std::size_t s, Next next, Stop stop) const {
    std::vector<std::size_t> path{s};
    std::size_t t = next(s);
    while (t != kDischarge && !stop(t) && path.size() <= spec_const().services.size()) {
      if (t == s) return path;
      path.push_back(t);
      t = next(t);
    }
    return std::nullopt;
  }

  std::string chain_text(const std::vector<std::size_t>& path) const {
    std::string out;
    for (std::size_t s : path) out += spec_const().services[s].name + " -> ";
    return out + spec_const().services[path.front()].name;
  }

  void check_overflow() {
    const auto& services = spec().services;
    const auto next = [&](std::size_t s) { return services[s].overflow; };
    const auto never = [](std::size_t) { return false; };
    for (std::size_t s = 0; s < services.size(); ++s) {
      const std::size_t o = services[s].overflow;
      if (o == kDischarge) continue;
      if (auto cycle = cycle_from(s, next, never)) {
        // Reported once, at the first service of the cycle.
        if (*std::min_element(cycle->begin(), cycle->end()) == s) {
          error_at(*services_[s].table, service_error_path(s), "overflow",
                   "an overflow chain that ends (at a service without an overflow)", "a cycle: " + chain_text(*cycle));
        }
        continue;
      }
      if (services[o].capacity > 0 && services[o].overflow == kDischarge) {
        error_at(*services_[s].table, service_error_path(s), "overflow",
                 "an overflow target with unlimited capacity (capacity = 0) or an overflow of its own",
                 "\"" + services[o].name + "\", with capacity " + std::to_string(services[o].capacity) +
                     " and no overflow");
      }
    }
    // An arm's capacity override must not make an overflow target one that fills up.
    for (std::size_t a = 0; a < spec().arms.size(); ++a) {
      const ArmSpec& arm = spec().arms[a];
      std::set<std::size_t> reported;
      for (std::size_t s = 0; s < services.size(); ++s) {
        const std::size_t o = services[s].overflow;
        if (!arm.enabled[s] || o == kDischarge || !arm.enabled[o] || reported.count(o) != 0) continue;
        if (arm.capacity[o] == services[o].capacity || arm.capacity[o] == 0 || services[o].overflow != kDischarge) {
          continue;
        }
        reported.insert(o);
        const toml::table& capacity = *arms_[a].table->get("capacity")->as_table();
        error_at(capacity, "arms." + arm.name + ".capacity", services[o].name,
                 "0 (unlimited): \"" + services[o].name + "\" is the overflow of \"" + services[s].name +
                     "\" and has no overflow of its own",
                 std::to_string(arm.capacity[o]));
      }
    }
  }

  void check_fallbacks() {
    const auto& services = spec().services;
    const auto next = [&](std::size_t s) { return services[s].fallback; };
    for (const ArmSpec& arm : spec().arms) {
      const auto in_arm = [&](std::size_t s) { return static_cast<bool>(arm.enabled[s]); };
      for (std::size_t s = 0; s < services.size(); ++s) {
        if (arm.enabled[s]) continue;
        const auto cycle = cycle_from(s, next, in_arm);
        if (!cycle || *std::min_element(cycle->begin(), cycle->end()) != s) continue;
        error_at(*services_[s].table, service_error_path(s), "fallback",
                 "a fallback chain that reaches a service in arm \"" + arm.name + "\" or discharge",
                 "a cycle of services the arm does not have: " + chain_text(*cycle));
      }
    }
  }

  const std::string& file_;
  Diagnostics diag_;
  PathwayScenario out_;
  std::vector<NamedTable> groups_, partners_, services_, arms_;
};

}  // namespace

PathwayScenario parse_pathway_scenario(std::string_view text, const std::string& file) {
  return PathwayReader(text, file).read();
}

PathwayScenario load_pathway_scenario(const std::string& path) {
  return parse_pathway_scenario(read_scenario_file(path), path);
}

std::string scenario_model(std::string_view text, const std::string& file) {
  const toml::table doc = parse_toml(text, file);
  if (!doc.contains("model")) return "network";
  Diagnostics diag;
  TableReader root(doc, "", "", file, diag);
  const std::optional<std::string> m = root.choice(key("model"));
  diag.throw_if_any();
  return *m;
}

}  // namespace mhsim::scenario
