// SPDX-License-Identifier: MIT
#include "models/scenario/pathway_scenario.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <iterator>
#include <limits>
#include <map>
#include <set>
#include <type_traits>
#include <variant>

#include "models/scenario/pathway_document.hpp"
#include "models/scenario/toml_reader.hpp"

namespace mhsim::scenario {

namespace {

namespace ct = models::contracts;
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

// Contracts: the key table's prefix, the type names in the order of ContractTerms'
// alternatives, and the keys each type takes besides name and type.
constexpr std::string_view kContracts = "arms.<name>.contracts";
constexpr std::array<std::string_view, 6> kContractTypes = {"block",    "activity", "capitation",
                                                            "outcomes", "blended",  "alliance"};
static_assert(std::variant_size_v<models::contracts::ContractTerms> == kContractTypes.size());
constexpr std::array<std::string_view, 6> kContractKeys = {
    "partner, annual, indexation",
    "partner, tariffs, baseline_payment, marginal_rate, below_baseline_rate, cap, floor",
    "partner, per_head, need_weights, corridor",
    "partner, value, at_risk, mode, indicators",
    "partner, fixed, variable, variable_rate, quality_share, value, indicators, corridor",
    "target, target_indexation, share, gain_bands, pain_bands, pain_cap, gain_cap, floor_total, reward_pool, "
    "max_liability, modifier, modifier_scope, gate, allocation, shortfall, members, kras",
};

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
  const bool vowel = !noun.empty() && std::string_view("aeiou").find(noun.front()) != std::string_view::npos;
  const std::string expected = std::string(vowel ? "the name of an " : "the name of a ") + std::string(noun) +
                               (discharge_ok ? " or \"discharge\"" : "") +
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

/// Reads a parsed pathway file. With `document` (the first read of a file) it also reads the
/// uncertain parameters into document->nodes and checks them; with `overrides` (with_parameters)
/// it reads the numbers those replace instead of the file's and skips the uncertainty tables.
class PathwayReader {
 public:
  PathwayReader(const toml::table& doc, const std::string& file, ParsedDocument* document,
                NumberOverrides* overrides)
      : doc_(doc), file_(file), document_(document), overrides_(overrides) {
    out_.file = file;
  }

  PathwayScenario read() {
    const toml::table& doc = doc_;
    TableReader root(doc, "", "", file_, diag_, KeyModel::kPathway, overrides_);
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

    // Every name first: the tables refer to each other.
    groups_ = named_tables(root, key("groups"), "need group", limits::kMaxGroups);
    partners_ = named_tables(root, key("partners"), "partner", limits::kMaxServices);
    services_ = named_tables(root, key("services"), "service", limits::kMaxServices);
    arms_ = named_tables(root, key("arms"), "arm", limits::kMaxArms);
    const Names groups(groups_), partners(partners_), services(services_), arms(arms_);
    read_population(root, groups);

    spec().population.groups.resize(groups_.size());
    spec().exits.resize(groups_.size());
    for (std::size_t g = 0; g < groups_.size(); ++g) read_group(root, g);
    spec().partners.resize(partners_.size());
    for (std::size_t p = 0; p < partners_.size(); ++p) read_partner(root, p);
    spec().services.resize(services_.size());
    for (std::size_t s = 0; s < services_.size(); ++s) read_service(root, s, groups, partners, services);
    spec().arms.resize(arms_.size());
    out_.contracts.resize(arms_.size());
    targets_.resize(arms_.size());
    for (std::size_t a = 0; a < arms_.size(); ++a) read_arm(root, a, groups, partners, services, arms);
    check_target_cycles();
    read_initial(root, groups, services);
    read_outcomes(root);
    read_analysis(root, arms);
    UncertaintyTables uncertainty;
    VariantTables variants;
    if (document_ != nullptr) {
      uncertainty = read_uncertainty(root, *document_);
      variants = read_variants(root, *document_);
    } else {
      (void)root.has("uncertainty");  // read by the first read of the file
      (void)root.has("correlation");
      (void)root.has("variants");
    }
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
    // Only a scenario valid at its base values can be checked at other values.
    if (diag_.empty() && document_ != nullptr && !uncertainty.spec.empty()) {
      check_uncertainty_quantiles(*document_, file_, uncertainty, diag_);
    }
    if (diag_.empty() && document_ != nullptr && !variants.variants.empty()) {
      check_variants(*document_, file_, variants, diag_);
    }
    diag_.throw_if_any();
    out_.uncertainty = std::move(uncertainty.spec);
    out_.variants = std::move(variants.variants);
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

  void read_population(TableReader& root, const Names& groups) {
    const toml::table* pop = root.table(key("population"));
    if (pop == nullptr) return;
    TableReader p = root.sub(*pop, "population", "population");
    if (auto v = positive(p, key("population.size"))) spec().population.size = *v;
    group_share_given_ = p.raw().contains("group_share");
    if (auto v = p.by_name(key("population.group_share"), groups.list, "need group", 0.0)) {
      double sum = 0;
      for (double x : *v) sum += x;
      if (std::fabs(sum - 1.0) <= 1e-9) {
        out_.group_share = *v;
      } else {
        p.error("group_share", "shares that sum to 1", "a sum of " + number_text(sum));
      }
    }
    p.finish();
  }

  void read_run(TableReader& root) {
    const toml::table* run = root.table(key("run"));
    if (run == nullptr) return;
    TableReader r = root.sub(*run, "run", "run");
    if (auto v = r.integer(key("run.seed"))) out_.run.seed = static_cast<std::uint64_t>(*v);
    if (auto v = r.integer(key("run.replications"))) out_.run.replications = static_cast<std::uint64_t>(*v);
    if (auto v = r.integer(key("run.years"))) {
      spec().years = static_cast<int>(*v);
      years_read_ = true;
    }
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
    out_.analysis.reserves.resize(partners_.size(), std::numeric_limits<double>::quiet_NaN());
    if (auto v = r.number(key("partners.<name>.reserves"))) out_.analysis.reserves[p] = *v;
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

  void read_arm(TableReader& root, std::size_t a, const Names& groups, const Names& partners, const Names& services,
                const Names& arms) {
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

    if (auto v = by_year(r, key("arms.<name>.gatekeeping"))) arm.gatekeeping = std::move(*v);
    if (auto v = by_year(r, key("arms.<name>.handoff_loss"))) arm.handoff_loss = std::move(*v);
    if (auto v = by_year(r, key("arms.<name>.front_door_diversion"))) arm.front_door_diversion = std::move(*v);
    if (auto t = reference(r, key("arms.<name>.diversion_to"), services, "service", true)) arm.diversion_to = *t;
    const std::vector<double>& diversion = arm.front_door_diversion.values();
    if (std::any_of(diversion.begin(), diversion.end(), [](double d) { return d > 0.0; }) &&
        !r.raw().contains("diversion_to")) {
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
    if (auto v = by_year(r, key("arms.<name>.step_down_speed"), true)) arm.step_down_speed = std::move(*v);
    read_contracts(r, a, groups, partners, services, arms);
    r.finish();
  }

  /// An arm's behaviour parameter: a number (every year) or an array of numbers, one per
  /// simulated year from year 1, each in the key's range (and > 0 when `positive_only`); a shorter
  /// array repeats its last number. Returns one value per simulated year; nothing when the key
  /// is absent or bad (every problem reported: an empty or too long array, and each bad
  /// element, at its own position).
  std::optional<models::pathway::ByYear> by_year(TableReader& r, const KeySpec& k, bool positive_only = false) {
    const std::size_t years = static_cast<std::size_t>(std::max(1, spec().years));
    const toml::node* node = r.has(k.leaf()) ? r.raw().get(k.leaf()) : nullptr;
    if (node == nullptr) return std::nullopt;
    const std::string one = positive_only ? "a number in (0, " + number_text(k.max) + "]" : k.expectation();
    const toml::array* list = node->as_array();
    if (list == nullptr) {
      if (!node->is_integer() && !node->is_floating_point()) {
        r.error(k.leaf(), one + ", or an array of such numbers (one per simulated year)", r.describe_value(*node));
        return std::nullopt;
      }
      // A number: the messages of every other number key.
      const std::optional<double> v = positive_only ? positive(r, k) : r.number(k);
      if (!v) return std::nullopt;
      return models::pathway::ByYear(std::vector<double>(years, *v));
    }
    bool ok = true;
    // run.years bounds the array only when it was read: otherwise its own error says so.
    if (list->empty() || (years_read_ && list->size() > years)) {
      r.error(k.leaf(),
              one + ", or an array of " + (years_read_ ? "1 to " + std::to_string(years) : "at least 1") +
                  " such numbers (one per simulated year" + (years_read_ ? ", run.years = " + std::to_string(years) : "") +
                  ")",
              list->empty() ? "an empty array" : "an array of " + std::to_string(list->size()) + " numbers");
      ok = false;
    }
    std::vector<double> values;
    for (std::size_t i = 0; i < list->size(); ++i) {
      const toml::node& item = *list->get(i);
      const std::optional<double> x = r.value_of(item);
      const bool in_range = x && std::isfinite(*x) && *x >= k.min && *x <= k.max;
      if (!in_range || (positive_only && !(*x > 0.0))) {
        const auto [line, col] = position(item, node);
        diag_.add(Diagnostic{file_, line, col, r.child_path(k.leaf()) + "[" + std::to_string(i) + "]", one,
                             r.describe_value(item)});
        ok = false;
        continue;
      }
      values.push_back(*x);
    }
    if (!ok) return std::nullopt;
    values.resize(std::max(years, values.size()), values.back());
    return models::pathway::ByYear(std::move(values));
  }

  // ---- contracts ----------------------------------------------------------------------

  /// Where an alliance's target refers to another arm, for the cycle check.
  struct TargetRef {
    std::size_t arm = 0;                 ///< the reference arm
    const toml::table* table = nullptr;  ///< the target table
    std::string path;                    ///< its key path
  };

  static const KeySpec& ckey(std::string_view leaf) { return key(std::string(kContracts) + "." + std::string(leaf)); }

  /// Reports a key that the contract's type requires but the table lacks: "<what> (required
  /// in a <type> contract[; <more>])".
  static bool require(TableReader& c, std::string_view leaf, const std::string& type, std::string what = {},
                      const std::string& more = {}) {
    if (c.raw().contains(leaf)) return true;
    if (what.empty()) what = ckey(leaf).expectation();
    const bool vowel = !type.empty() && std::string_view("aeiou").find(type.front()) != std::string_view::npos;
    c.error(leaf, what + " (required in " + (vowel ? "an " : "a ") + type + " contract" + (more.empty() ? "" : "; " + more) + ")",
            "nothing (the key is missing)");
    return false;
  }

  /// Calls f(reader, index) for each table of the array of tables at `spec` (absent: none).
  template <class F>
  void each_table(TableReader& r, const KeySpec& spec, const std::string& pattern, F&& f) {
    if (!r.has(spec.leaf())) return;
    const toml::node& node = *r.raw().get(spec.leaf());
    const auto* list = node.as_array();
    if (list == nullptr) {
      r.error(spec.leaf(), spec.expectation(), describe(node));
      return;
    }
    for (std::size_t i = 0; i < list->size(); ++i) {
      const toml::node& item = *list->get(i);
      const std::string path = r.child_path(spec.leaf()) + "[" + std::to_string(i) + "]";
      const auto* t = item.as_table();
      if (t == nullptr) {
        const auto [line, col] = position(item, &node);
        diag_.add(Diagnostic{file_, line, col, path, "a table ([[" + std::string(spec.leaf()) + "]])", describe(item)});
        continue;
      }
      TableReader sub = r.sub(*t, path, pattern);
      f(sub, i);
    }
  }

  /// The partner a (non-alliance) contract pays.
  std::optional<std::size_t> contract_partner(TableReader& c, const std::string& type, const Names& partners) {
    if (!require(c, "partner", type, "the name of a partner", "one of " + partners.quoted())) return std::nullopt;
    return reference(c, ckey("partner"), partners, "partner");
  }

  std::vector<ct::Tariff> read_tariffs(TableReader& c, std::string_view leaf, std::optional<std::size_t> partner,
                                       const Names& services) {
    std::vector<ct::Tariff> out;
    const std::string pattern = std::string(kContracts) + ".tariffs";
    each_table(c, ckey(leaf), pattern, [&](TableReader& l, std::size_t) {
      ct::Tariff t;
      bool ok = true;
      if (auto m = l.choice(ckey("tariffs.measure"))) {
        const auto it = std::find(models::pathway::kMeasureNames.begin(), models::pathway::kMeasureNames.end(), *m);
        t.measure = static_cast<ct::Measure>(it - models::pathway::kMeasureNames.begin());
      } else {
        ok = false;
      }
      if (l.raw().contains("service")) {
        if (auto s = reference(l, ckey("tariffs.service"), services, "service")) {
          const std::size_t owner = spec().services[*s].partner;
          if (partner && owner != *partner) {
            std::vector<std::string> own;
            for (std::size_t i = 0; i < spec().services.size(); ++i) {
              if (spec().services[i].partner == *partner) own.push_back(spec().services[i].name);
            }
            std::string list;
            for (const std::string& n : own) list += (list.empty() ? "\"" : ", \"") + n + "\"";
            l.error("service",
                    "a service of the contract's partner \"" + spec().partners[*partner].name + "\" (one of " +
                        (list.empty() ? std::string("none") : list) + ")",
                    "the service \"" + spec().services[*s].name + "\", of partner \"" +
                        (owner < spec().partners.size() ? spec().partners[owner].name : std::string("?")) + "\"");
            ok = false;
          }
          t.service = *s;
        } else {
          ok = false;
        }
      }
      if (auto v = l.number(ckey("tariffs.price"))) t.price = *v;
      if (auto v = l.number(ckey("tariffs.baseline_volume"))) t.baseline_volume = *v;
      l.finish();
      if (ok) out.push_back(t);
    });
    return out;
  }

  std::optional<ct::RiskCorridor> read_corridor(TableReader& c) {
    const toml::table* t = c.table(ckey("corridor"));
    if (t == nullptr) return std::nullopt;
    TableReader r = c.sub(*t, c.child_path("corridor"), std::string(kContracts) + ".corridor");
    ct::RiskCorridor out;
    if (auto v = r.number(ckey("corridor.width"))) out.width = *v;
    if (auto v = r.number(ckey("corridor.share"))) out.share = *v;
    r.finish();
    return out;
  }

  /// The KPI a KRA or an indicator reads: `kpi` names a system KPI, or a service KPI of the
  /// service named by `service`.
  std::optional<ct::KpiRef> read_kpi(TableReader& t, const std::string& table, const Names& services) {
    const std::optional<std::string> name = t.string(ckey(table + ".kpi"));
    const bool has_service = t.raw().contains("service");
    std::optional<std::size_t> service;
    if (has_service) service = reference(t, ckey(table + ".service"), services, "service");
    if (!name) return std::nullopt;
    const auto& sys = models::pathway::system_kpis();
    const auto& svc = models::pathway::service_kpis();
    const auto is = [&](const models::pathway::KpiInfo& k) { return k.name == *name; };
    if (const auto it = std::find_if(sys.begin(), sys.end(), is); it != sys.end()) {
      if (has_service) {
        t.error("service", "no service (\"" + *name + "\" is a system KPI)", describe(*t.raw().get("service")));
        return std::nullopt;
      }
      return ct::KpiRef::system(static_cast<models::pathway::SystemKpi>(it - sys.begin()));
    }
    if (const auto it = std::find_if(svc.begin(), svc.end(), is); it != svc.end()) {
      if (!has_service) {
        t.error("service",
                "the name of a service (required for the service KPI \"" + *name + "\"; one of " + services.quoted() +
                    ")",
                "nothing (the key is missing)");
        return std::nullopt;
      }
      if (!service) return std::nullopt;
      return ct::KpiRef::of_service(*service, static_cast<models::pathway::ServiceKpi>(it - svc.begin()));
    }
    std::string sys_names, svc_names;
    for (const auto& k : sys) sys_names += (sys_names.empty() ? "\"" : ", \"") + std::string(k.name) + "\"";
    for (const auto& k : svc) svc_names += (svc_names.empty() ? "\"" : ", \"") + std::string(k.name) + "\"";
    t.error("kpi",
            "a system KPI (one of " + sys_names + ") or a service KPI with a service (one of " + svc_names + ")",
            "an unknown KPI \"" + *name + "\"");
    return std::nullopt;
  }

  std::optional<ct::Direction> read_direction(TableReader& t, const std::string& table) {
    const auto d = t.choice(ckey(table + ".direction"));
    if (!d) return std::nullopt;
    return *d == "higher_is_better" ? ct::Direction::kHigherIsBetter : ct::Direction::kLowerIsBetter;
  }

  /// Reports weights of a contract's indicators or KRAs that do not sum to 1.
  static void check_weights(TableReader& c, std::string_view leaf, std::string_view what, double sum) {
    if (std::fabs(sum - 1.0) <= 1e-9) return;  // the tolerance of contracts::check_terms
    c.error(leaf, std::string(what) + " weights that sum to 1", "a sum of " + number_text(sum));
  }

  std::vector<ct::Indicator> read_indicators(TableReader& c, const Names& services) {
    std::vector<ct::Indicator> out;
    double sum = 0;
    bool all = true;
    each_table(c, ckey("indicators"), std::string(kContracts) + ".indicators", [&](TableReader& t, std::size_t) {
      ct::Indicator k;
      bool ok = true;
      const auto kpi = read_kpi(t, "indicators", services);
      const auto dir = read_direction(t, "indicators");
      const auto zero = t.number(ckey("indicators.zero_level"));
      const auto full = t.number(ckey("indicators.full_level"));
      const auto weight = t.number(ckey("indicators.weight"));
      if (auto n = t.string(ckey("indicators.name"))) {
        k.name = *n;
      } else if (const auto* kpi_name = t.raw().get_as<std::string>("kpi")) {
        k.name = kpi_name->get();
      }
      t.finish();
      if (kpi) k.kpi = *kpi; else ok = false;
      if (dir) k.direction = *dir; else ok = false;
      if (zero) k.zero_level = *zero; else ok = false;
      if (full) k.full_level = *full; else ok = false;
      if (weight) {
        k.weight = *weight;
        sum += *weight;
      } else {
        ok = all = false;
      }
      if (ok) out.push_back(std::move(k));
    });
    if (all && c.raw().contains("indicators") && !out.empty()) check_weights(c, "indicators", "indicator", sum);
    return out;
  }

  std::vector<ct::ShareBand> read_bands(TableReader& c, std::string_view leaf) {
    std::vector<ct::ShareBand> out;
    each_table(c, ckey(leaf), std::string(kContracts) + ".gain_bands", [&](TableReader& t, std::size_t) {
      ct::ShareBand b;
      const auto upper = t.number_or_none(ckey("gain_bands.upper"));
      const auto share = t.number(ckey("gain_bands.share"));
      t.finish();
      if (!upper || !share) return;
      b.upper = upper->value_or(std::numeric_limits<double>::infinity());
      b.share = *share;
      out.push_back(b);
    });
    return out;
  }

  std::optional<ct::TargetRule> read_target(TableReader& c, std::size_t a, const Names& arms) {
    const toml::table* t = c.table(ckey("target"));
    if (t == nullptr) return std::nullopt;
    TableReader r = c.sub(*t, c.child_path("target"), std::string(kContracts) + ".target");
    const bool fixed = r.raw().contains("fixed"), by_arm = r.raw().contains("arm");
    std::optional<ct::TargetRule> out;
    if (fixed && by_arm) {
      r.error_here("either fixed = <pounds> or arm = \"<arm>\"", "both");
      for (const char* leaf : {"fixed", "arm", "percentile", "scale"}) (void)r.has(leaf);
    } else if (fixed) {
      if (auto v = r.number(ckey("target.fixed"))) out = ct::TargetRule{ct::TargetRule::Kind::kFixed, *v, 0, 50, 1};
      for (const char* leaf : {"percentile", "scale"}) {
        if (!r.has(leaf)) continue;
        r.error(leaf, std::string("no ") + leaf + " with a fixed target (percentile and scale go with arm)",
                describe(*r.raw().get(leaf)));
        out.reset();
      }
    } else if (by_arm) {
      ct::TargetRule rule{ct::TargetRule::Kind::kArmCost, 0, 0, 50, 1};
      const auto percentile = r.number(ckey("target.percentile"));
      const auto scale = r.number(ckey("target.scale"));
      bool ok = (percentile || !r.raw().contains("percentile")) && (scale || !r.raw().contains("scale"));
      if (percentile) rule.percentile = *percentile;
      if (scale) rule.scale = *scale;
      if (auto ref = reference(r, ckey("target.arm"), arms, "arm")) {
        if (*ref == a) {
          std::vector<std::string> others;
          for (std::size_t i = 0; i < arms.list.size(); ++i) {
            if (i != a) others.push_back(arms.list[i]);
          }
          std::string list;
          for (const std::string& n : others) list += (list.empty() ? "\"" : ", \"") + n + "\"";
          r.error("arm", "another arm (one of " + (list.empty() ? std::string("none") : list) + ")",
                  "the arm \"" + arms.list[a] + "\" itself");
          ok = false;
        } else {
          rule.arm = *ref;
          targets_[a] = TargetRef{*ref, t, r.path()};
        }
      } else {
        ok = false;
      }
      if (ok) out = rule;
    } else {
      r.error_here("either fixed = <pounds> or arm = \"<arm>\"", "neither");
    }
    r.finish();
    return out;
  }

  template <class Claim>
  void read_alliance(TableReader& c, std::size_t a, ct::AllianceTerms& al, ct::ArmContracts& arm, const Names& services,
                     const Names& arms, const Names& partners, Claim&& claim) {
    const std::string type = "alliance";
    if (require(c, "target", type, "a target table such as { fixed = 66000000 } or { arm = \"block\", percentile = 50 }")) {
      if (auto rule = read_target(c, a, arms)) {
        arm.target = *rule;
        if (rule->kind == ct::TargetRule::Kind::kFixed) al.target_cost = rule->amount;
      }
    }
    if (auto v = c.number(ckey("target_indexation"))) al.target_indexation = *v;
    if (auto v = c.number(ckey("share"))) al.share = *v;
    al.gain_bands = read_bands(c, "gain_bands");
    al.pain_bands = read_bands(c, "pain_bands");
    if (auto v = c.number_or_none(ckey("pain_cap"))) al.pain_cap = *v;
    if (auto v = c.number(ckey("gain_cap"))) al.gain_cap = *v;
    if (auto v = c.boolean(ckey("floor_total"))) al.floor_total = *v;
    if (auto v = c.number(ckey("reward_pool"))) al.reward_pool = *v;
    if (auto v = c.number(ckey("max_liability"))) al.max_liability = *v;
    if (auto v = c.number(ckey("modifier"))) al.modifier = *v;
    if (auto v = c.choice(ckey("modifier_scope"))) {
      al.modifier_scope = *v == "both" ? ct::AllianceTerms::ModifierScope::kBoth : ct::AllianceTerms::ModifierScope::kGainOnly;
    }
    if (auto v = c.boolean(ckey("gate"))) al.gate = *v;
    const std::optional<std::string> allocation = c.choice(ckey("allocation"));
    if (allocation) {
      using A = ct::AllianceTerms::Allocation;
      al.allocation = *allocation == "equal" ? A::kEqual : *allocation == "fee" ? A::kFee : *allocation == "fixed" ? A::kFixed : A::kBudgetShare;
    }
    const bool fixed_allocation = allocation && *allocation == "fixed";
    if (auto v = c.choice(ckey("shortfall"))) {
      al.shortfall = *v == "reallocate" ? ct::AllianceTerms::Shortfall::kReallocate : ct::AllianceTerms::Shortfall::kCommissioner;
    }

    // Members.
    if (require(c, "members", type)) {
      double allocated = 0;
      bool all_allocated = true;
      each_table(c, ckey("members"), std::string(kContracts) + ".members", [&](TableReader& m, std::size_t) {
        ct::AllianceMember member;
        const auto p = reference(m, ckey("members.partner"), partners, "partner");
        if (p) {
          member.partner = *p;
          claim(m, *p);
        }
        if (auto v = m.number(ckey("members.fee"))) member.fee = *v;
        if (auto v = m.number(ckey("members.fee_rate"))) member.fee_rate = *v;
        if (m.raw().contains("allocation")) {
          const auto v = m.number(ckey("members.allocation"));
          if (v) member.allocation = *v;
          if (!fixed_allocation) {
            m.error("allocation", "no allocation (member shares apply only with allocation = \"fixed\")",
                    describe(*m.raw().get("allocation")));
          }
          if (v) allocated += *v;
          else all_allocated = false;
        } else if (fixed_allocation) {
          m.error("allocation", ckey("members.allocation").expectation() + " (required with allocation = \"fixed\")",
                  "nothing (the key is missing)");
          all_allocated = false;
        }
        if (auto v = m.number(ckey("members.cap"))) member.cap = *v;
        m.finish();
        if (p) al.members.push_back(member);
      });
      const toml::node* node = c.raw().get("members");
      if (node != nullptr && node->is_array() && node->as_array()->empty()) {
        c.error("members", "at least one member", "none");
      } else if (fixed_allocation && all_allocated && std::fabs(allocated - 1.0) > 1e-9) {
        c.error("members", "member allocations that sum to 1 (allocation = \"fixed\")", "a sum of " + number_text(allocated));
      }
    }

    // Key result areas.
    double sum = 0;
    bool all_weighted = true;
    std::set<std::string> kra_names;
    each_table(c, ckey("kras"), std::string(kContracts) + ".kras", [&](TableReader& t, std::size_t) {
      ct::Kra k;
      bool ok = true;
      if (auto n = t.string(ckey("kras.name"))) {
        k.name = *n;
        if (n->empty()) {
          t.error("name", "a non-empty name", "the string \"\"");
          ok = false;
        } else if (!kra_names.insert(*n).second) {
          t.error("name", "a KRA name unique within the contract", "a second KRA named \"" + *n + "\"");
          ok = false;
        }
      } else {
        ok = false;
      }
      const auto kpi = read_kpi(t, "kras", services);
      const auto dir = read_direction(t, "kras");
      if (kpi) k.kpi = *kpi; else ok = false;
      if (dir) k.direction = *dir; else ok = false;
      if (auto th = t.numbers(ckey("kras.thresholds"))) {
        if (th->size() != 5) {
          t.error("thresholds", "exactly 5 levels (failure, poor, minimum, stretch, game_breaking)",
                  std::to_string(th->size()) + " numbers");
          ok = false;
        } else {
          std::copy(th->begin(), th->end(), k.thresholds.begin());
          if (dir) {
            const bool higher = *dir == ct::Direction::kHigherIsBetter;
            const double sign = higher ? 1.0 : -1.0;
            for (std::size_t b = 1; b < 5; ++b) {
              if (sign * k.thresholds[b] >= sign * k.thresholds[b - 1]) continue;
              t.error("thresholds",
                      std::string("levels failure, poor, minimum, stretch, game_breaking in ") +
                          (higher ? "ascending order (a higher_is_better KPI)" : "descending order (a lower_is_better KPI)"),
                      std::string(ct::kKraBandNames[b]) + " (" + number_text(k.thresholds[b]) + ") " +
                          (higher ? "below " : "above ") + ct::kKraBandNames[b - 1] + " (" +
                          number_text(k.thresholds[b - 1]) + ")");
              ok = false;
              break;
            }
          }
        }
      } else {
        ok = false;
      }
      if (auto sc = t.numbers(ckey("kras.scores"))) {
        if (sc->size() != 5) {
          t.error("scores", "exactly 5 scores (failure, poor, minimum, stretch, game_breaking)",
                  std::to_string(sc->size()) + " numbers");
          ok = false;
        } else {
          std::copy(sc->begin(), sc->end(), k.scores.begin());
        }
      } else if (t.raw().contains("scores")) {
        ok = false;
      }
      if (auto v = t.boolean(ckey("kras.interpolate"))) k.interpolate = *v;
      if (auto w = t.number(ckey("kras.weight"))) {
        k.weight = *w;
        sum += *w;
      } else {
        ok = all_weighted = false;
      }
      t.finish();
      if (ok) al.kras.push_back(std::move(k));
    });
    if (all_weighted && !kra_names.empty()) check_weights(c, "kras", "KRA", sum);
  }

  void read_contracts(TableReader& r, std::size_t a, const Names& groups, const Names& partners, const Names& services,
                      const Names& arms) {
    ct::ArmContracts& arm = out_.contracts[a];
    const std::string& arm_name = spec().arms[a].name;
    const std::size_t errors_before = diag_.size();
    std::vector<std::string> paid_by(partners.list.size());  // contract paying each partner ("" = none)
    std::set<std::string> names;
    std::optional<std::string> alliance;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> headers;
    std::vector<std::string> paths;

    each_table(r, key(kContracts), std::string(kContracts), [&](TableReader& c, std::size_t i) {
      ct::Contract contract;
      const std::optional<std::string> name = c.string(ckey("name"));
      const std::string label = name ? *name : "contracts[" + std::to_string(i) + "]";
      if (name) {
        contract.name = *name;
        if (name->empty()) {
          c.error("name", "a non-empty name", "the string \"\"");
        } else if (!names.insert(*name).second) {
          c.error("name", "a contract name unique within arm \"" + arm_name + "\"",
                  "a second contract named \"" + *name + "\"");
        }
      }
      const auto claim = [&](TableReader& at, std::size_t p) {
        if (paid_by[p].empty()) {
          paid_by[p] = label;
          return;
        }
        at.error("partner", "a partner in no other contract of arm \"" + arm_name + "\"",
                 "\"" + partners.list[p] + "\", already in contract \"" + paid_by[p] + "\"");
      };
      const std::optional<std::string> type = c.choice(ckey("type"));
      if (!type) return;  // its keys depend on the type
      const auto t = static_cast<std::size_t>(
          std::find(kContractTypes.begin(), kContractTypes.end(), *type) - kContractTypes.begin());
      const auto paid = [&](std::optional<std::size_t> p, std::size_t& into) {
        if (!p) return;
        into = *p;
        claim(c, *p);
      };
      switch (t) {
        case 0: {
          ct::BlockTerms b;
          paid(contract_partner(c, *type, partners), b.partner);
          if (require(c, "annual", *type)) {
            if (auto v = c.number(ckey("annual"))) b.annual = *v;
          }
          if (auto v = c.number(ckey("indexation"))) b.indexation = *v;
          contract.terms = b;
          break;
        }
        case 1: {
          ct::ActivityTerms ac;
          const auto p = contract_partner(c, *type, partners);
          paid(p, ac.partner);
          ac.tariffs = read_tariffs(c, "tariffs", p, services);
          if (auto v = c.number(ckey("baseline_payment"))) ac.baseline_payment = *v;
          if (auto v = c.number(ckey("marginal_rate"))) ac.marginal_rate = *v;
          if (auto v = c.number(ckey("below_baseline_rate"))) ac.below_baseline_rate = *v;
          if (auto v = c.number(ckey("cap"))) ac.cap = *v;
          if (auto v = c.number(ckey("floor"))) ac.floor = *v;
          contract.terms = std::move(ac);
          break;
        }
        case 2: {
          ct::CapitationTerms cp;
          paid(contract_partner(c, *type, partners), cp.partner);
          if (require(c, "per_head", *type)) {
            if (auto v = c.number(ckey("per_head"))) cp.per_head = *v;
          }
          if (auto w = c.by_name(ckey("need_weights"), groups.list, "need group", 0.0)) {
            cp.need_weights = *w;
            if (!group_share_given_) {
              c.error("need_weights",
                      "population.group_share as well (need weights apply to the population's share in each need group)",
                      "need weights without population.group_share");
            }
          }
          cp.corridor = read_corridor(c);
          contract.terms = std::move(cp);
          break;
        }
        case 3: {
          ct::OutcomesTerms o;
          paid(contract_partner(c, *type, partners), o.partner);
          if (require(c, "value", *type)) {
            if (auto v = c.number(ckey("value"))) o.value = *v;
          }
          if (auto v = c.number(ckey("at_risk"))) o.at_risk = *v;
          if (auto v = c.choice(ckey("mode"))) o.mode = *v == "bonus" ? ct::OutcomesTerms::Mode::kBonus : ct::OutcomesTerms::Mode::kWithhold;
          o.indicators = read_indicators(c, services);
          contract.terms = std::move(o);
          break;
        }
        case 4: {
          ct::BlendedTerms bl;
          const auto p = contract_partner(c, *type, partners);
          paid(p, bl.partner);
          if (require(c, "fixed", *type)) {
            if (auto v = c.number(ckey("fixed"))) bl.fixed = *v;
          }
          bl.variable = read_tariffs(c, "variable", p, services);
          if (auto v = c.number(ckey("variable_rate"))) bl.variable_rate = *v;
          if (auto v = c.number(ckey("quality_share"))) bl.quality_share = *v;
          if (auto v = c.number(ckey("value"))) bl.value = *v;
          bl.indicators = read_indicators(c, services);
          bl.corridor = read_corridor(c);
          contract.terms = std::move(bl);
          break;
        }
        default: {
          ct::AllianceTerms al;
          if (alliance) {
            c.error("type", "at most one alliance contract in an arm",
                    "a second alliance (\"" + *alliance + "\" is one)");
          } else {
            alliance = label;
          }
          read_alliance(c, a, al, arm, services, arms, partners, claim);
          contract.terms = std::move(al);
          break;
        }
      }
      c.finish("one of name, type, " + std::string(kContractKeys[t]) + " (the keys of " + (t == 1 || t == 3 || t == 5 ? "an " : "a ") +
               *type + " contract)");
      headers.push_back(first_position(c.raw()));
      paths.push_back(c.path());
      arm.terms.contracts.push_back(std::move(contract));
    });

    // Settlement's own check, as a safety net for what the checks above do not cover; it
    // would repeat what they found, so only when they found nothing.
    if (diag_.size() != errors_before || arm.terms.contracts.empty()) return;
    for (const std::string& problem : ct::check_terms(arm.terms, spec().partners.size(), spec().services.size())) {
      std::size_t at = 0;
      std::string text = problem;
      for (std::size_t i = 0; i < arm.terms.contracts.size(); ++i) {
        const std::string where = "contract " + std::to_string(i) + " \"" + arm.terms.contracts[i].name + "\" (" +
                                  std::string(kContractTypes[arm.terms.contracts[i].terms.index()]) + "): ";
        if (problem.rfind(where, 0) == 0) {
          at = i;
          text = problem.substr(where.size());
          break;
        }
      }
      diag_.add(Diagnostic{file_, headers[at].first, headers[at].second, paths[at],
                           "contract terms that settlement accepts", text});
    }
  }

  /// Alliances whose targets are set from each other's arms, in a cycle.
  void check_target_cycles() {
    const std::size_t n = targets_.size();
    for (std::size_t a = 0; a < n; ++a) {
      if (!targets_[a]) continue;
      std::vector<std::size_t> chain{a};
      std::size_t b = targets_[a]->arm;
      while (b != a && targets_[b] && chain.size() <= n) {
        chain.push_back(b);
        b = targets_[b]->arm;
      }
      if (b != a || *std::min_element(chain.begin(), chain.end()) != a) continue;
      std::string text;
      for (std::size_t i : chain) text += spec().arms[i].name + " -> ";
      text += spec().arms[a].name;
      error_at(*targets_[a]->table, targets_[a]->path, "arm",
               "a reference arm whose alliance target does not lead back to this arm", "a cycle: " + text);
    }
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
      if (auto v = r.choice(key("initial.remaining"))) st.stationary = *v == "stationary";
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

  // ---- analysis settings --------------------------------------------------------------

  void read_analysis(TableReader& root, const Names& arms) {
    AnalysisSettings& a = out_.analysis;
    a.reserves.resize(partners_.size(), std::numeric_limits<double>::quiet_NaN());
    const toml::table* t = root.table(key("analysis"));
    if (t == nullptr) return;
    TableReader r = root.sub(*t, "analysis", "analysis");
    if (auto v = r.number(key("analysis.discount_rate"))) a.discount_rate = *v;
    if (auto v = r.choice(key("analysis.discount_timing"))) a.mid_year = *v == "mid_year";
    if (auto v = r.integer(key("analysis.horizon_years"))) {
      if (*v > spec().years && years_read_) {
        r.error("horizon_years",
                "an integer in [0, " + std::to_string(spec().years) + "] (at most run.years; 0 = every year)",
                std::to_string(*v));
      } else {
        a.horizon_years = static_cast<std::size_t>(*v);
      }
    }
    if (auto v = r.numbers(key("analysis.willingness_to_pay"))) {
      if (v->empty() || static_cast<double>(v->size()) > limits::kMaxThresholds) {
        r.error("willingness_to_pay", "1 to " + number_text(limits::kMaxThresholds) + " thresholds",
                std::to_string(v->size()));
      } else {
        a.willingness_to_pay = *v;
      }
    }
    if (auto v = positive(r, key("analysis.ceac_max"))) a.ceac_max = *v;
    if (auto v = r.integer(key("analysis.ceac_points"))) a.ceac_points = static_cast<std::size_t>(*v);
    if (auto v = r.choice(key("analysis.effect"))) a.effect = *v;
    if (auto v = r.choice(key("analysis.cost_basis"))) {
      std::vector<std::string> without;
      for (std::size_t i = 0; i < out_.contracts.size() && i < arms.list.size(); ++i) {
        if (out_.contracts[i].terms.contracts.empty()) without.push_back(arms.list[i]);
      }
      if (*v == "commissioner_spend" && !without.empty()) {
        std::string list;
        for (const std::string& n : without) list += (list.empty() ? "\"" : ", \"") + n + "\"";
        r.error("cost_basis", "\"ledger\", or contracts in every arm for \"commissioner_spend\" (what the contracts pay)",
                "\"commissioner_spend\" with arm" + std::string(without.size() == 1 ? " " : "s ") + list +
                    " settled by no contract");
      } else {
        a.cost_basis = *v;
      }
    }
    if (auto i = reference(r, key("analysis.base_arm"), arms, "arm")) a.base_arm = *i;
    if (auto v = r.number(key("analysis.risk_level"))) {
      if (*v > 0.5 && *v < 1.0) a.risk_level = *v;
      else r.error("risk_level", "a number in (0.5, 1), both ends excluded", number_text(*v));
    }
    if (auto v = r.number(key("analysis.commissioner_budget"))) a.commissioner_budget = *v;
    if (const toml::table* precision = r.table(key("analysis.precision"))) {
      TableReader p = r.sub(*precision, r.child_path("precision"), "analysis.precision");
      std::string metrics;
      for (const std::string_view m : kPrecisionMetrics) metrics += (metrics.empty() ? "\"" : ", \"") + std::string(m) + "\"";
      std::vector<std::pair<std::pair<std::uint32_t, std::uint32_t>, PrecisionTarget>> targets;
      for (const auto& [k, node] : *precision) {
        const std::string metric(k.str());
        if (std::find(std::begin(kPrecisionMetrics), std::end(kPrecisionMetrics), metric) == std::end(kPrecisionMetrics)) {
          const auto [line, col] = key_position(k, node, precision);
          diag_.add(Diagnostic{file_, line, col, p.child_path(metric), "a metric (one of " + metrics + ")",
                               "an unknown metric \"" + metric + "\""});
          continue;
        }
        const auto v = p.number(key("analysis.precision.<metric>"), metric);
        if (!v) continue;
        if (!(*v > 0.0)) {
          p.error(metric, "a half-width > 0", number_text(*v));
          continue;
        }
        targets.push_back({position(node, precision), PrecisionTarget{metric, *v}});
      }
      std::stable_sort(targets.begin(), targets.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
      for (auto& [at, target] : targets) a.precision.push_back(std::move(target));
    }
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

  const toml::table& doc_;
  const std::string& file_;
  ParsedDocument* document_;    ///< the first read of a file: uncertain parameters are read into it
  NumberOverrides* overrides_;  ///< a read by with_parameters: numbers replaced
  Diagnostics diag_;
  PathwayScenario out_;
  bool years_read_ = false;  ///< run.years was read without error
  std::vector<NamedTable> groups_, partners_, services_, arms_;
  bool group_share_given_ = false;
  std::vector<std::optional<TargetRef>> targets_;  ///< [arm] an alliance target set from another arm
};

}  // namespace

PathwayScenario parse_pathway_scenario(std::string_view text, const std::string& file) {
  auto document = std::make_shared<ParsedDocument>();
  document->table = parse_toml(text, file);
  PathwayScenario out = PathwayReader(document->table, file, document.get(), nullptr).read();
  out.text = std::string(text);
  out.document = std::move(document);
  return out;
}

PathwayScenario read_pathway_overridden(const ParsedDocument& doc, const std::string& file,
                                        NumberOverrides& overrides) {
  return PathwayReader(doc.table, file, nullptr, &overrides).read();
}

PathwayScenario load_pathway_scenario(const std::string& path) {
  return parse_pathway_scenario(read_scenario_file(path), path);
}

// ---- sweeps ------------------------------------------------------------------------------

namespace {

/// The longest of `names` that `rest` starts with, followed by `sep`: its index and what
/// follows the separator. Names may contain dots, so they are matched, not split.
std::optional<std::pair<std::size_t, std::string_view>> match_name(std::string_view rest,
                                                                   const std::vector<std::string>& names,
                                                                   std::string_view sep) {
  std::optional<std::pair<std::size_t, std::string_view>> best;
  std::size_t best_size = 0;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const std::string& n = names[i];
    if (rest.size() < n.size() + sep.size() || rest.compare(0, n.size(), n) != 0 ||
        rest.substr(n.size(), sep.size()) != sep) {
      continue;
    }
    if (!best || n.size() > best_size) {
      best = std::make_pair(i, rest.substr(n.size() + sep.size()));
      best_size = n.size();
    }
  }
  return best;
}

std::string quoted_names(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "\"" : ", \"") + n + "\"";
  return out.empty() ? "none" : out;
}

/// A limit that +inf removes.
void set_limit(std::optional<double>& limit, double value) {
  if (std::isinf(value) && value > 0) limit.reset();
  else limit = value;
}

}  // namespace

std::optional<std::string> set_contract_term(PathwayScenario& sc, std::string_view path, double value) {
  const std::string where(path);
  const auto fail = [&](const std::string& why) { return std::optional<std::string>(where + ": " + why); };
  constexpr std::string_view kForm = "arms.<arm>.contracts.<contract>.<term>";
  if (std::isnan(value)) return fail("the value is not a number");
  if (path.substr(0, 5) != "arms.") return fail("expected a path of the form " + std::string(kForm));
  std::vector<std::string> arm_names;
  for (const auto& arm : sc.spec.arms) arm_names.push_back(arm.name);
  const auto arm = match_name(path.substr(5), arm_names, ".contracts.");
  if (!arm) {
    return fail("expected " + std::string(kForm) + " with an arm of the scenario (one of " + quoted_names(arm_names) +
                ")");
  }
  if (arm->first >= sc.contracts.size() || sc.contracts[arm->first].terms.contracts.empty()) {
    return fail("arm \"" + arm_names[arm->first] + "\" has no contracts");
  }
  ct::ArmContracts& arm_contracts = sc.contracts[arm->first];
  std::vector<std::string> contract_names;
  for (const ct::Contract& c : arm_contracts.terms.contracts) contract_names.push_back(c.name);
  const auto contract = match_name(arm->second, contract_names, ".");
  if (!contract) {
    return fail("expected a contract of arm \"" + arm_names[arm->first] + "\" (one of " +
                quoted_names(contract_names) + ") followed by a term");
  }
  ct::Contract& c = arm_contracts.terms.contracts[contract->first];
  const std::string_view term = contract->second;
  const std::string type(kContractTypes[c.terms.index()]);
  const auto unknown = [&](const std::string& settable) {
    return fail("\"" + std::string(term) + "\" is not a settable term of " + type + " contract \"" + c.name +
                "\" (settable: " + settable + ")");
  };

  if (auto* t = std::get_if<ct::BlockTerms>(&c.terms)) {
    if (term == "annual") t->annual = value;
    else if (term == "indexation") t->indexation = value;
    else return unknown("annual, indexation");
    return std::nullopt;
  }
  if (auto* t = std::get_if<ct::ActivityTerms>(&c.terms)) {
    if (term == "baseline_payment") t->baseline_payment = value;
    else if (term == "marginal_rate") t->marginal_rate = value;
    else if (term == "below_baseline_rate") t->below_baseline_rate = value;
    else if (term == "cap") set_limit(t->cap, value);
    else if (term == "floor") set_limit(t->floor, value);
    else return unknown("baseline_payment, marginal_rate, below_baseline_rate, cap, floor");
    return std::nullopt;
  }
  const auto corridor = [&](std::optional<ct::RiskCorridor>& cor, std::string_view leaf, const std::string& settable) {
    if (!cor) return unknown(settable + " (corridor.width and corridor.share need a corridor in the file)");
    (leaf == "width" ? cor->width : cor->share) = value;
    return std::optional<std::string>{};
  };
  if (auto* t = std::get_if<ct::CapitationTerms>(&c.terms)) {
    if (term == "per_head") t->per_head = value;
    else if (term == "corridor.width" || term == "corridor.share") return corridor(t->corridor, term.substr(9), "per_head");
    else return unknown(t->corridor ? "per_head, corridor.width, corridor.share" : "per_head");
    return std::nullopt;
  }
  if (auto* t = std::get_if<ct::OutcomesTerms>(&c.terms)) {
    if (term == "value") t->value = value;
    else if (term == "at_risk") t->at_risk = value;
    else return unknown("value, at_risk");
    return std::nullopt;
  }
  if (auto* t = std::get_if<ct::BlendedTerms>(&c.terms)) {
    const std::string settable = "fixed, variable_rate, quality_share, value";
    if (term == "fixed") t->fixed = value;
    else if (term == "variable_rate") t->variable_rate = value;
    else if (term == "quality_share") t->quality_share = value;
    else if (term == "value") t->value = value;
    else if (term == "corridor.width" || term == "corridor.share") return corridor(t->corridor, term.substr(9), settable);
    else return unknown(t->corridor ? settable + ", corridor.width, corridor.share" : settable);
    return std::nullopt;
  }

  auto& al = std::get<ct::AllianceTerms>(c.terms);
  const std::string settable =
      "target, target_scale, target_percentile, target_indexation, share, pain_cap, gain_cap, reward_pool, "
      "max_liability, modifier, members.<partner>.fee | fee_rate | cap | allocation, "
      "kras.<kra>.thresholds.<band> | weight";
  std::optional<ct::TargetRule>& rule = arm_contracts.target;
  const bool from_arm = rule && rule->kind == ct::TargetRule::Kind::kArmCost;
  if (term == "target") {
    if (!(value >= 0) || std::isinf(value)) return fail("a fixed target must be a finite number >= 0");
    rule = ct::TargetRule{ct::TargetRule::Kind::kFixed, value, 0, 50, 1};
    al.target_cost = value;
    al.target_cost_by_year.clear();
  } else if (term == "target_scale" || term == "target_percentile") {
    if (!from_arm) return fail(std::string(term) + " applies to a target set from another arm; this one is fixed (set target)");
    if (term == "target_scale") {
      if (!(value >= 0) || std::isinf(value)) return fail("target_scale must be a finite number >= 0");
      rule->scale = value;
    } else {
      if (!(value >= 0 && value <= 100)) return fail("target_percentile must be in [0, 100]");
      rule->percentile = value;
    }
  } else if (term == "target_indexation") {
    al.target_indexation = value;
  } else if (term == "share") {
    al.share = value;
  } else if (term == "pain_cap") {
    set_limit(al.pain_cap, value);
  } else if (term == "gain_cap") {
    set_limit(al.gain_cap, value);
  } else if (term == "reward_pool") {
    al.reward_pool = value;
  } else if (term == "max_liability") {
    al.max_liability = value;
  } else if (term == "modifier") {
    al.modifier = value;
  } else if (term.substr(0, 8) == "members.") {
    std::vector<std::string> partners;
    for (const ct::AllianceMember& m : al.members) {
      partners.push_back(m.partner < sc.spec.partners.size() ? sc.spec.partners[m.partner].name : "?");
    }
    const auto member = match_name(term.substr(8), partners, ".");
    if (!member) return fail("expected members.<partner>.<term> with a member (one of " + quoted_names(partners) + ")");
    ct::AllianceMember& m = al.members[member->first];
    const std::string_view leaf = member->second;
    if (leaf == "fee") m.fee = value;
    else if (leaf == "fee_rate") m.fee_rate = value;
    else if (leaf == "cap") set_limit(m.cap, value);
    else if (leaf == "allocation") {
      if (al.allocation != ct::AllianceTerms::Allocation::kFixed) {
        return fail("member allocations apply only with allocation = \"fixed\"");
      }
      m.allocation = value;
    } else {
      return fail("\"" + std::string(leaf) + "\" is not a settable term of a member (settable: fee, fee_rate, cap, allocation)");
    }
  } else if (term.substr(0, 5) == "kras.") {
    std::vector<std::string> kras;
    for (const ct::Kra& k : al.kras) kras.push_back(k.name);
    const auto kra = match_name(term.substr(5), kras, ".");
    if (!kra) return fail("expected kras.<kra>.<term> with a KRA (one of " + quoted_names(kras) + ")");
    ct::Kra& k = al.kras[kra->first];
    const std::string_view leaf = kra->second;
    std::string bands;
    for (const char* b : ct::kKraBandNames) bands += (bands.empty() ? "" : ", ") + std::string(b);
    if (leaf == "weight") {
      k.weight = value;
    } else if (leaf.substr(0, 11) == "thresholds.") {
      const std::string_view band = leaf.substr(11);
      const auto it = std::find(ct::kKraBandNames.begin(), ct::kKraBandNames.end(), band);
      if (it == ct::kKraBandNames.end()) return fail("expected thresholds.<band> with a band (one of " + bands + ")");
      k.thresholds[static_cast<std::size_t>(it - ct::kKraBandNames.begin())] = value;
    } else {
      return fail("\"" + std::string(leaf) + "\" is not a settable term of a KRA (settable: weight, thresholds.<band>, band one of " +
                  bands + ")");
    }
  } else {
    return unknown(settable);
  }
  return std::nullopt;
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
