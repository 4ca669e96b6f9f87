// SPDX-License-Identifier: MIT
#include "analysis/pathway_results.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <stdexcept>

namespace mhsim::analysis {

namespace pw = models::pathway;

namespace {

constexpr std::size_t kDomains = pw::kSiofDomains;
constexpr std::size_t kStatuses = pw::kGoalStatuses;

constexpr std::size_t idx(pw::SystemKpi k) { return static_cast<std::size_t>(k); }
constexpr std::size_t idx(pw::ServiceKpi k) { return static_cast<std::size_t>(k); }

// The array dimensions of one replication.
struct Dims {
  std::size_t arms = 0, years = 0, services = 0, partners = 0;
};

// One per-arm float64 dataset: its path, its shape after [R, A], and the ArmResult member.
struct ArmArray {
  const char* path;
  std::vector<double> pw::ArmResult::*field;
};
const std::vector<ArmArray>& arm_arrays() {
  static const std::vector<ArmArray> a = {
      {"ledger/activity", &pw::ArmResult::activity}, {"ledger/cost", &pw::ArmResult::cost},
      {"ledger/partner_cost", &pw::ArmResult::partner_cost}, {"kpi/system", &pw::ArmResult::system},
      {"kpi/service", &pw::ArmResult::service},      {"goals/by_domain", &pw::ArmResult::goals},
  };
  return a;
}
// Shape of one arm's slice of a dataset (after [R, A]), in the order of arm_arrays().
std::vector<std::uint64_t> arm_shape(const std::string& path, const Dims& d) {
  const auto u = [](std::size_t n) { return static_cast<std::uint64_t>(n); };
  if (path == "ledger/activity" || path == "ledger/cost") return {u(d.years), u(d.services), u(pw::kMeasures)};
  if (path == "ledger/partner_cost") return {u(d.years), u(d.partners)};
  if (path == "kpi/system") return {u(d.years), u(pw::kSystemKpis)};
  if (path == "kpi/service") return {u(d.years), u(d.services), u(pw::kServiceKpis)};
  return {u(d.years), u(kDomains), u(kStatuses)};  // goals/by_domain
}
std::size_t elements(const std::vector<std::uint64_t>& shape) {
  std::size_t n = 1;
  for (const std::uint64_t x : shape) n *= static_cast<std::size_t>(x);
  return n;
}

struct ArmCount {
  const char* path;
  std::uint64_t pw::ArmResult::*field;
};
const std::vector<ArmCount>& arm_counts() {
  static const std::vector<ArmCount> c = {
      {"checks/arrived", &pw::ArmResult::arrived},
      {"checks/exited", &pw::ArmResult::exited},
      {"checks/in_system", &pw::ArmResult::in_system},
      {"checks/events", &pw::ArmResult::events},
  };
  return c;
}

// The monthly picture, [R, A, months, S, Q].
constexpr const char* kMonthlyValues = "monthly/values";

// Days people spent in the system, per arm (float64; the benchmark's person-years).
constexpr const char* kPersonDays = "checks/person_days";

// One-off costs [R, A, Y, S] (issue 22 item 4): defined only when an arm has one; files
// without it read as zeros.
constexpr const char* kOneOff = kOneOffDataset;
bool has_one_off_costs(const pw::PathwaySpec& spec) {
  for (const pw::ArmSpec& a : spec.arms) {
    if (!a.one_off_costs.empty()) return true;
  }
  return false;
}

// Probabilistic sensitivity analysis: the values each replication drew, [R, N].
constexpr const char* kPsaValues = "psa/values";
constexpr const char* kResponse = "incentives/response";

bool has_dataset(const ResultsReader& file, const std::string& path) {
  const std::vector<std::string> all = file.datasets();
  return std::find(all.begin(), all.end(), path) != all.end();
}

std::string shape_text(const std::vector<std::uint64_t>& s) {
  std::string t = "(";
  for (std::size_t i = 0; i < s.size(); ++i) t += (i ? ", " : "") + std::to_string(s[i]);
  return t + ")";
}

// Checks that every arm of `r` has the dimensions `d` and arrays of matching sizes.
void check_result(const pw::PathwayResult& r, const Dims& d, const std::string& where) {
  if (r.arms.size() != d.arms) {
    throw std::invalid_argument(where + ": expected " + std::to_string(d.arms) + " arms, got " +
                                std::to_string(r.arms.size()));
  }
  for (std::size_t a = 0; a < r.arms.size(); ++a) {
    const pw::ArmResult& arm = r.arms[a];
    const std::string who = where + ", arm " + std::to_string(a);
    if (arm.years != d.years || arm.services != d.services || arm.partners != d.partners) {
      throw std::invalid_argument(who + ": expected " + std::to_string(d.years) + " years, " +
                                  std::to_string(d.services) + " services and " + std::to_string(d.partners) +
                                  " partners, got " + std::to_string(arm.years) + ", " +
                                  std::to_string(arm.services) + " and " + std::to_string(arm.partners));
    }
    for (const ArmArray& x : arm_arrays()) {
      const std::size_t want = elements(arm_shape(x.path, d));
      if ((arm.*x.field).size() != want) {
        throw std::invalid_argument(who + ": " + x.path + ": expected " + std::to_string(want) + " values, got " +
                                    std::to_string((arm.*x.field).size()));
      }
    }
  }
}

Dims dims_of(const pw::PathwayResult& r) {
  Dims d;
  d.arms = r.arms.size();
  if (!r.arms.empty()) {
    d.years = r.arms.front().years;
    d.services = r.arms.front().services;
    d.partners = r.arms.front().partners;
  }
  return d;
}

template <class T>
std::vector<T> rows_as(const ResultsReader& file, const std::string& path, std::uint64_t first, std::uint64_t count) {
  const std::vector<unsigned char> bytes = file.raw_rows(path, first, count);
  std::vector<T> out(bytes.size() / sizeof(T));
  if (!out.empty()) std::memcpy(out.data(), bytes.data(), out.size() * sizeof(T));
  return out;
}

[[noreturn]] void bad_file(const std::string& what) {
  throw std::runtime_error("pathway results: " + what);
}

// Reads the dimensions from ledger/activity and ledger/partner_cost, and checks every other
// dataset against them (and against this build's fixed axes).
Dims file_dims(const ResultsReader& file, std::uint64_t& rows) {
  const std::vector<std::uint64_t> act = file.shape("ledger/activity");
  const std::vector<std::uint64_t> pc = file.shape("ledger/partner_cost");
  if (act.size() != 5) bad_file("ledger/activity: expected 5 dimensions, got shape " + shape_text(act));
  if (pc.size() != 4) bad_file("ledger/partner_cost: expected 4 dimensions, got shape " + shape_text(pc));
  rows = act[0];
  Dims d;
  d.arms = static_cast<std::size_t>(act[1]);
  d.years = static_cast<std::size_t>(act[2]);
  d.services = static_cast<std::size_t>(act[3]);
  d.partners = static_cast<std::size_t>(pc[3]);
  const auto lead = [&](const std::vector<std::uint64_t>& tail) {
    std::vector<std::uint64_t> shape{rows, static_cast<std::uint64_t>(d.arms)};
    for (const std::uint64_t x : tail) shape.push_back(x);  // (not insert: GCC 12 -O3 warns falsely)
    return shape;
  };
  for (const ArmArray& x : arm_arrays()) {
    const std::vector<std::uint64_t> want = lead(arm_shape(x.path, d));
    const std::vector<std::uint64_t> got = file.shape(x.path);
    if (got != want) {
      bad_file(std::string(x.path) + ": expected shape " + shape_text(want) + " (from ledger/activity, " +
               "ledger/partner_cost and this build's measures, KPIs and goal axes), got " + shape_text(got));
    }
  }
  for (const ArmCount& c : arm_counts()) {
    const std::vector<std::uint64_t> want = lead({});
    const std::vector<std::uint64_t> got = file.shape(c.path);
    if (got != want) bad_file(std::string(c.path) + ": expected shape " + shape_text(want) + ", got " + shape_text(got));
  }
  if (file.shape(kPersonDays) != lead({})) bad_file(std::string(kPersonDays) + ": expected shape " + shape_text(lead({})));
  return d;
}

std::size_t last_year_index(const pw::ArmResult& a) { return a.years - 1; }

}  // namespace

// ---------------------------------------------------------------------------------------
void define_pathway_datasets(ResultsWriter& out, const pw::PathwaySpec& spec, const PsaParameters& psa) {
  const std::size_t n = psa.name.size();
  if (psa.key.size() != n || psa.distribution.size() != n || psa.base.size() != n) {
    throw std::invalid_argument("define_pathway_datasets: the PSA parameters' names, keys, distributions and base "
                                "values differ in number");
  }
  std::vector<std::string> arms, services, kinds, owners, partners, partner_kinds, groups;
  for (const pw::ArmSpec& a : spec.arms) arms.push_back(a.name);
  for (const pw::PartnerSpec& p : spec.partners) {
    partners.push_back(p.name);
    partner_kinds.push_back(p.kind);
  }
  for (const pw::ServiceSpec& s : spec.services) {
    if (s.partner >= spec.partners.size()) {
      throw std::invalid_argument("define_pathway_datasets: service \"" + s.name + "\" has partner index " +
                                  std::to_string(s.partner) + ", but there are " +
                                  std::to_string(spec.partners.size()) + " partners");
    }
    services.push_back(s.name);
    kinds.emplace_back(pw::kind_name(s.kind));
    owners.push_back(spec.partners[s.partner].name);
  }
  for (const pw::NeedGroup& g : spec.population.groups) groups.push_back(g.name);
  std::vector<std::string> system_name, system_unit, service_name, service_unit, measures, domains, statuses;
  for (const pw::KpiInfo& k : pw::system_kpis()) {
    system_name.emplace_back(k.name);
    system_unit.emplace_back(k.unit);
  }
  for (const pw::KpiInfo& k : pw::service_kpis()) {
    service_name.emplace_back(k.name);
    service_unit.emplace_back(k.unit);
  }
  for (const std::string_view m : pw::kMeasureNames) measures.emplace_back(m);
  for (const std::string_view d : pw::kSiofDomainNames) domains.emplace_back(d);
  for (const std::string_view s : pw::kGoalStatusNames) statuses.emplace_back(s);

  out.attribute(kPathwayYears, static_cast<std::uint64_t>(std::max(spec.years, 0)));
  out.labels("arms/name", arms);
  out.labels("services/name", services);
  out.labels("services/kind", kinds);
  out.labels("services/partner", owners);
  out.labels("partners/name", partners);
  out.labels("partners/kind", partner_kinds);
  out.labels("groups/name", groups);
  out.labels("kpi/system_name", system_name);
  out.labels("kpi/system_unit", system_unit);
  out.labels("kpi/service_name", service_name);
  out.labels("kpi/service_unit", service_unit);
  out.labels("ledger/measure", measures);
  out.labels("goals/domain", domains);
  out.labels("goals/status", statuses);

  Dims d;
  d.arms = spec.arms.size();
  d.years = static_cast<std::size_t>(std::max(spec.years, 0));
  d.services = spec.services.size();
  d.partners = spec.partners.size();
  for (const ArmArray& x : arm_arrays()) {
    std::vector<std::uint64_t> shape = arm_shape(x.path, d);
    shape.insert(shape.begin(), static_cast<std::uint64_t>(d.arms));
    out.define_shape(x.path, ResultsWriter::Type::kFloat64, shape);
  }
  for (const ArmCount& c : arm_counts()) {
    out.define(c.path, ResultsWriter::Type::kUInt64, static_cast<std::uint64_t>(d.arms));
  }
  out.define(kPersonDays, ResultsWriter::Type::kFloat64, static_cast<std::uint64_t>(d.arms));
  if (has_one_off_costs(spec)) {
    out.define_shape(kOneOff, ResultsWriter::Type::kFloat64,
                     {static_cast<std::uint64_t>(d.arms), static_cast<std::uint64_t>(d.years),
                      static_cast<std::uint64_t>(d.services)});
  }
  std::vector<std::string> monthly_name, monthly_unit;
  for (const pw::KpiInfo& k : pw::monthly_measures()) {
    monthly_name.emplace_back(k.name);
    monthly_unit.emplace_back(k.unit);
  }
  out.labels("monthly/measure", monthly_name);
  out.labels("monthly/unit", monthly_unit);
  out.define_shape(kMonthlyValues, ResultsWriter::Type::kFloat64,
                   {static_cast<std::uint64_t>(d.arms), static_cast<std::uint64_t>(d.years * pw::kMonthsPerYear),
                    static_cast<std::uint64_t>(d.services), static_cast<std::uint64_t>(pw::kMonthlyMeasures)});
  if (n > 0) {
    out.labels("psa/name", psa.name);
    out.labels("psa/key", psa.key);
    out.labels("psa/distribution", psa.distribution);
    out.constants("psa/base", psa.base);  // float64 (before issue 20: exact decimal text)
    out.define(kPsaValues, ResultsWriter::Type::kFloat64, static_cast<std::uint64_t>(n));
  }
}

void write_pathway_result(ResultsWriter& out, std::uint64_t replication, const pw::PathwayResult& r) {
  const Dims d = dims_of(r);
  check_result(r, d, "write_pathway_result: replication " + std::to_string(replication));
  std::vector<double> row;
  for (const ArmArray& x : arm_arrays()) {
    row.clear();
    for (const pw::ArmResult& a : r.arms) row.insert(row.end(), (a.*x.field).begin(), (a.*x.field).end());
    if (!row.empty()) out.write(x.path, replication, row.data());
  }
  std::vector<std::uint64_t> counts(r.arms.size());
  for (const ArmCount& c : arm_counts()) {
    for (std::size_t a = 0; a < r.arms.size(); ++a) counts[a] = r.arms[a].*c.field;
    if (!counts.empty()) out.write(c.path, replication, counts.data());
  }
  std::vector<double> days(r.arms.size());
  for (std::size_t a = 0; a < r.arms.size(); ++a) days[a] = r.arms[a].person_days;
  if (!days.empty()) out.write(kPersonDays, replication, days.data());
  if (out.defines(kOneOff)) {
    row.assign(d.arms * d.years * d.services, 0.0);
    for (std::size_t a = 0; a < r.arms.size(); ++a) {
      const std::vector<double>& v = r.arms[a].one_off;
      std::copy_n(v.begin(), std::min(v.size(), d.years * d.services), row.begin() + static_cast<std::ptrdiff_t>(a * d.years * d.services));
    }
    out.write(kOneOff, replication, row.data());
  }
  // The monthly picture; NaN for an arm without one (a result built by hand).
  const std::size_t per_arm = d.years * pw::kMonthsPerYear * d.services * pw::kMonthlyMeasures;
  std::vector<double> monthly;
  monthly.reserve(per_arm * r.arms.size());
  for (const pw::ArmResult& a : r.arms) {
    if (a.monthly.size() == per_arm) monthly.insert(monthly.end(), a.monthly.begin(), a.monthly.end());
    else if (a.monthly.empty()) monthly.insert(monthly.end(), per_arm, std::numeric_limits<double>::quiet_NaN());
    else throw std::invalid_argument("write_pathway_result: replication " + std::to_string(replication) +
                                     ": monthly: expected " + std::to_string(per_arm) + " values, got " +
                                     std::to_string(a.monthly.size()));
  }
  if (!monthly.empty()) out.write(kMonthlyValues, replication, monthly.data());
  if (!r.psa_values.empty()) out.write(kPsaValues, replication, r.psa_values.data());
  if (out.defines(kResponse)) {
    const std::size_t n = d.arms * d.years * 3 * d.services * pw::kResponseFieldNames.size();
    if (r.response.size() != n) {
      throw std::invalid_argument("write_pathway_result: replication " + std::to_string(replication) +
                                  ": incentives/response: expected " + std::to_string(n) + " values, got " +
                                  std::to_string(r.response.size()));
    }
    out.write(kResponse, replication, r.response.data());
  }
}

void write_pathway_block(ResultsWriter& out, const pw::PathwaySpec& spec,
                         const std::map<std::string, AttributeValue>& attributes, std::uint64_t first,
                         const std::vector<pw::PathwayResult>& results, const PsaParameters& psa) {
  for (const auto& [name, value] : attributes) out.attribute(name, value);
  out.attribute("first_replication", first);
  out.attribute("replications_in_file", static_cast<std::uint64_t>(results.size()));
  define_pathway_datasets(out, spec, psa);
  if (!results.empty() && !results.front().response.empty()) {
    // Providers responded (models/incentives): what each decision was worth to them and how
    // their behaviour moved, per replication (PSA may draw the elasticities).
    out.labels("incentives/decision", {"gatekeeping", "step_down", "diversion"});
    out.labels("incentives/field", std::vector<std::string>(pw::kResponseFieldNames.begin(), pw::kResponseFieldNames.end()));
    out.define_shape(kResponse, ResultsWriter::Type::kFloat64,
                     {static_cast<std::uint64_t>(spec.arms.size()), static_cast<std::uint64_t>(spec.years), 3,
                      static_cast<std::uint64_t>(spec.services.size()),
                      static_cast<std::uint64_t>(pw::kResponseFieldNames.size())});
  }
  for (std::size_t i = 0; i < results.size(); ++i) write_pathway_result(out, first + i, results[i]);
}

std::vector<pw::PathwayResult> read_pathway_results(const ResultsReader& file) {
  std::uint64_t rows = 0;
  file_dims(file, rows);
  return read_pathway_results(file, 0, rows);
}

std::vector<pw::PathwayResult> read_pathway_results(const ResultsReader& file, std::uint64_t first,
                                                    std::uint64_t count) {
  std::uint64_t rows = 0;
  const Dims d = file_dims(file, rows);
  if (first > rows || count > rows - first) {
    bad_file("expected rows within [0, " + std::to_string(rows) + "), got rows " + std::to_string(first) + ".." +
             std::to_string(first + count) + " (exclusive end)");
  }
  const std::size_t n = static_cast<std::size_t>(count);
  std::vector<pw::PathwayResult> out(n);
  for (pw::PathwayResult& r : out) {
    r.arms.resize(d.arms);
    for (pw::ArmResult& a : r.arms) {
      a.years = d.years;
      a.services = d.services;
      a.partners = d.partners;
    }
  }
  for (const ArmArray& x : arm_arrays()) {
    const std::size_t per_arm = elements(arm_shape(x.path, d));
    const std::vector<double> v = rows_as<double>(file, x.path, first, count);
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t a = 0; a < d.arms; ++a) {
        const auto begin = v.begin() + static_cast<std::ptrdiff_t>((i * d.arms + a) * per_arm);
        out[i].arms[a].*x.field = std::vector<double>(begin, begin + static_cast<std::ptrdiff_t>(per_arm));
      }
    }
  }
  for (const ArmCount& c : arm_counts()) {
    const std::vector<std::uint64_t> v = rows_as<std::uint64_t>(file, c.path, first, count);
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t a = 0; a < d.arms; ++a) out[i].arms[a].*c.field = v[i * d.arms + a];
    }
  }
  const std::vector<double> days = rows_as<double>(file, kPersonDays, first, count);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t a = 0; a < d.arms; ++a) out[i].arms[a].person_days = days[i * d.arms + a];
  }
  if (has_dataset(file, kOneOff)) {
    const std::vector<std::uint64_t> want{rows, static_cast<std::uint64_t>(d.arms), static_cast<std::uint64_t>(d.years),
                                          static_cast<std::uint64_t>(d.services)};
    if (file.shape(kOneOff) != want) {
      bad_file(std::string(kOneOff) + ": expected shape " + shape_text(want) + ", got " + shape_text(file.shape(kOneOff)));
    }
    const std::size_t per_arm = d.years * d.services;
    const std::vector<double> v = rows_as<double>(file, kOneOff, first, count);
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t a = 0; a < d.arms; ++a) {
        const auto begin = v.begin() + static_cast<std::ptrdiff_t>((i * d.arms + a) * per_arm);
        out[i].arms[a].one_off.assign(begin, begin + static_cast<std::ptrdiff_t>(per_arm));
      }
    }
  }
  if (has_dataset(file, kMonthlyValues)) {  // files from before the monthly picture lack it
    const std::size_t months = d.years * pw::kMonthsPerYear;
    const std::vector<std::uint64_t> want{rows, d.arms, months, d.services, pw::kMonthlyMeasures};
    if (file.shape(kMonthlyValues) != want) {
      bad_file(std::string(kMonthlyValues) + ": expected shape " + shape_text(want) + ", got " +
               shape_text(file.shape(kMonthlyValues)));
    }
    const std::size_t per_arm = months * d.services * pw::kMonthlyMeasures;
    const std::vector<double> v = rows_as<double>(file, kMonthlyValues, first, count);
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t a = 0; a < d.arms; ++a) {
        const auto begin = v.begin() + static_cast<std::ptrdiff_t>((i * d.arms + a) * per_arm);
        out[i].arms[a].months = months;
        out[i].arms[a].monthly.assign(begin, begin + static_cast<std::ptrdiff_t>(per_arm));
      }
    }
  }
  if (has_dataset(file, kPsaValues)) {
    const std::vector<std::uint64_t> shape = file.shape(kPsaValues);
    if (shape.size() != 2 || shape[0] != rows) {
      bad_file(std::string(kPsaValues) + ": expected shape (" + std::to_string(rows) + ", parameters), got " +
               shape_text(shape));
    }
    const auto k = static_cast<std::size_t>(shape[1]);
    const std::vector<double> v = rows_as<double>(file, kPsaValues, first, count);
    for (std::size_t i = 0; i < n; ++i) {
      out[i].psa_values.assign(v.begin() + static_cast<std::ptrdiff_t>(i * k),
                               v.begin() + static_cast<std::ptrdiff_t>((i + 1) * k));
    }
  }
  if (has_dataset(file, kResponse)) {
    const std::size_t k = d.arms * d.years * 3 * d.services * pw::kResponseFieldNames.size();
    const std::vector<double> v = rows_as<double>(file, kResponse, first, count);
    if (v.size() != k * n) bad_file(std::string(kResponse) + ": unexpected shape " + shape_text(file.shape(kResponse)));
    for (std::size_t i = 0; i < n; ++i) {
      out[i].response.assign(v.begin() + static_cast<std::ptrdiff_t>(i * k), v.begin() + static_cast<std::ptrdiff_t>((i + 1) * k));
    }
  }
  return out;
}

PsaParameters read_psa_parameters(const ResultsReader& file) {
  PsaParameters p;
  if (!has_dataset(file, "psa/name")) return p;
  p.name = file.labels("psa/name");
  p.key = file.labels("psa/key");
  p.distribution = file.labels("psa/distribution");
  if (file.is_text("psa/base")) {  // files written before issue 20: the base values as exact decimal text
    for (const std::string& b : file.labels("psa/base")) p.base.push_back(std::strtod(b.c_str(), nullptr));
  } else {
    p.base = file.read_double("psa/base");
  }
  const std::size_t n = p.name.size();
  if (p.key.size() != n || p.distribution.size() != n || p.base.size() != n) {
    bad_file("psa/name, psa/key, psa/distribution and psa/base: expected the same length");
  }
  return p;
}

// ---------------------------------------------------------------------------------------
WholeRun whole_run_rule(pw::SystemKpi k) noexcept {
  switch (k) {
    case pw::SystemKpi::kInSystemAtYearEnd:
    case pw::SystemKpi::kUntreatedAtYearEnd:
    case pw::SystemKpi::kGoalsProgressing: return WholeRun::kLastYear;
    case pw::SystemKpi::kWemwbsMeanChange: return WholeRun::kDischargeWeighted;
    case pw::SystemKpi::kShareImproved: return WholeRun::kShareOfDischarges;
    default: return WholeRun::kSum;
  }
}

double whole_run_value(const pw::ArmResult& a, pw::SystemKpi k) {
  if (a.years == 0) return 0.0;
  switch (whole_run_rule(k)) {
    case WholeRun::kLastYear: return a.sys(last_year_index(a), k);
    case WholeRun::kDischargeWeighted:
    case WholeRun::kShareOfDischarges: {
      double discharges = 0, improved = 0, change = 0;
      for (std::size_t y = 0; y < a.years; ++y) {
        const double n = a.sys(y, pw::SystemKpi::kWemwbsImproved) + a.sys(y, pw::SystemKpi::kWemwbsDecreased) +
                         a.sys(y, pw::SystemKpi::kWemwbsUnchanged);
        discharges += n;
        improved += a.sys(y, pw::SystemKpi::kWemwbsImproved);
        change += n * a.sys(y, pw::SystemKpi::kWemwbsMeanChange);
      }
      if (!(discharges > 0)) return 0.0;
      return whole_run_rule(k) == WholeRun::kShareOfDischarges ? improved / discharges : change / discharges;
    }
    case WholeRun::kSum: break;
  }
  double sum = 0;
  for (std::size_t y = 0; y < a.years; ++y) sum += a.sys(y, k);
  return sum;
}

double whole_run_cost(const pw::ArmResult& a) {
  double sum = 0;
  for (const double c : a.cost) sum += c;
  return sum;
}

// ---------------------------------------------------------------------------------------
namespace {
void add_value(engine::Tally& t, double x) {
  if (!std::isnan(x)) t.add(x);
}
}  // namespace

PathwaySummary::PathwaySummary(std::size_t arms, std::size_t years, std::size_t services, std::size_t partners)
    : arms_(arms),
      years_(years),
      services_(services),
      partners_(partners),
      system_(arms * years * pw::kSystemKpis),
      system_total_(arms * pw::kSystemKpis),
      service_(arms * years * services * pw::kServiceKpis),
      partner_cost_(arms * years * partners),
      total_cost_(arms),
      paired_(arms * pw::kSystemKpis),
      paired_cost_(arms) {}

void PathwaySummary::add(const pw::PathwayResult& r) {
  check_result(r, Dims{arms_, years_, services_, partners_},
               "PathwaySummary::add: replication " + std::to_string(replications_));
  std::vector<double> base(pw::kSystemKpis);
  double base_cost = 0;
  for (std::size_t a = 0; a < arms_; ++a) {
    const pw::ArmResult& arm = r.arms[a];
    for (std::size_t i = 0; i < years_ * pw::kSystemKpis; ++i) add_value(system_[a * years_ * pw::kSystemKpis + i], arm.system[i]);
    const std::size_t svc = years_ * services_ * pw::kServiceKpis;
    for (std::size_t i = 0; i < svc; ++i) add_value(service_[a * svc + i], arm.service[i]);
    for (std::size_t i = 0; i < years_ * partners_; ++i) add_value(partner_cost_[a * years_ * partners_ + i], arm.partner_cost[i]);
    for (std::size_t k = 0; k < pw::kSystemKpis; ++k) {
      const double v = whole_run_value(arm, static_cast<pw::SystemKpi>(k));
      if (a == 0) base[k] = v;
      add_value(system_total_[a * pw::kSystemKpis + k], v);
      add_value(paired_[a * pw::kSystemKpis + k], v - base[k]);
    }
    const double cost = whole_run_cost(arm);
    if (a == 0) base_cost = cost;
    add_value(total_cost_[a], cost);
    add_value(paired_cost_[a], cost - base_cost);
  }
  ++replications_;
}

const engine::Tally& PathwaySummary::system(std::size_t arm, std::size_t year, pw::SystemKpi k) const {
  if (arm >= arms_ || year >= years_ || idx(k) >= pw::kSystemKpis) throw std::out_of_range("PathwaySummary::system");
  return system_[(arm * years_ + year) * pw::kSystemKpis + idx(k)];
}

const engine::Tally& PathwaySummary::system_total(std::size_t arm, pw::SystemKpi k) const {
  if (arm >= arms_ || idx(k) >= pw::kSystemKpis) throw std::out_of_range("PathwaySummary::system_total");
  return system_total_[arm * pw::kSystemKpis + idx(k)];
}

const engine::Tally& PathwaySummary::service(std::size_t arm, std::size_t year, std::size_t service,
                                             pw::ServiceKpi k) const {
  if (arm >= arms_ || year >= years_ || service >= services_ || idx(k) >= pw::kServiceKpis) {
    throw std::out_of_range("PathwaySummary::service");
  }
  return service_[((arm * years_ + year) * services_ + service) * pw::kServiceKpis + idx(k)];
}

const engine::Tally& PathwaySummary::partner_cost(std::size_t arm, std::size_t year, std::size_t partner) const {
  if (arm >= arms_ || year >= years_ || partner >= partners_) throw std::out_of_range("PathwaySummary::partner_cost");
  return partner_cost_[(arm * years_ + year) * partners_ + partner];
}

const engine::Tally& PathwaySummary::total_cost(std::size_t arm) const { return total_cost_.at(arm); }

const engine::Tally& PathwaySummary::paired_difference(std::size_t arm, pw::SystemKpi k) const {
  if (arm >= arms_ || idx(k) >= pw::kSystemKpis) throw std::out_of_range("PathwaySummary::paired_difference");
  return paired_[arm * pw::kSystemKpis + idx(k)];
}

const engine::Tally& PathwaySummary::paired_cost_difference(std::size_t arm) const { return paired_cost_.at(arm); }

double PathwaySummary::crn_variance_ratio(std::size_t arm) const {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  if (arm >= arms_) throw std::out_of_range("PathwaySummary::crn_variance_ratio");
  if (arm == 0) return kNaN;
  const double unpaired = total_cost_[arm].variance() + total_cost_[0].variance();
  if (!(unpaired > 0)) return kNaN;  // also NaN with fewer than two replications
  return paired_cost_[arm].variance() / unpaired;
}

PathwaySummary summarise_pathway_file(const ResultsReader& file) {
  std::uint64_t rows = 0;
  const Dims d = file_dims(file, rows);
  PathwaySummary summary(d.arms, d.years, d.services, d.partners);
  constexpr std::uint64_t kSlab = 256;
  for (std::uint64_t first = 0; first < rows; first += kSlab) {
    for (const pw::PathwayResult& r : read_pathway_results(file, first, std::min(kSlab, rows - first))) summary.add(r);
  }
  return summary;
}

}  // namespace mhsim::analysis

namespace mhsim::analysis {

bool has_monthly(const ResultsReader& file) { return has_dataset(file, kMonthlyValues); }

namespace {
// Type-7 quantile of sorted, non-empty x.
double sorted_quantile(const std::vector<double>& x, double p) {
  const double h = (static_cast<double>(x.size()) - 1) * p;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, x.size() - 1);
  return x[lo] + (h - static_cast<double>(lo)) * (x[hi] - x[lo]);
}
}  // namespace

MonthlySummary summarise_monthly(const ResultsReader& file) {
  if (!has_monthly(file)) bad_file(std::string(kMonthlyValues) + " is missing (a file from before the monthly picture)");
  MonthlySummary m;
  m.arms = file.labels("arms/name");
  m.services = file.labels("services/name");
  m.measures = file.labels("monthly/measure");
  m.units = file.labels("monthly/unit");
  const std::vector<std::uint64_t> shape = file.shape(kMonthlyValues);
  if (shape.size() != 5 || shape[1] != m.arms.size() || shape[2] % pw::kMonthsPerYear != 0 ||
      shape[3] != m.services.size() || shape[4] != m.measures.size() || m.units.size() != m.measures.size()) {
    bad_file(std::string(kMonthlyValues) + ": expected shape (replications, arms, years x 12, services, measures) "
             "matching arms/name, services/name and monthly/measure, got " + shape_text(shape));
  }
  const auto R = static_cast<std::size_t>(shape[0]), A = m.arms.size(), S = m.services.size(), Q = m.measures.size();
  m.months = static_cast<std::size_t>(shape[2]);
  const std::size_t cells = m.months * S * Q, K = kMonthlyStatistics.size();
  m.stats.assign(A * cells * K, std::numeric_limits<double>::quiet_NaN());
  constexpr std::array<double, 5> kP = {0.05, 0.25, 0.50, 0.75, 0.95};
  std::vector<double> arm(R * cells), x;
  x.reserve(R);
  for (std::size_t a = 0; a < A; ++a) {
    // One arm at a time, in slabs of 256 rows.
    for (std::size_t first = 0; first < R; first += 256) {
      const std::size_t count = std::min<std::size_t>(256, R - first);
      const std::vector<double> v = rows_as<double>(file, kMonthlyValues, first, count);
      for (std::size_t i = 0; i < count; ++i) {
        std::copy_n(v.begin() + static_cast<std::ptrdiff_t>((i * A + a) * cells), cells,
                    arm.begin() + static_cast<std::ptrdiff_t>((first + i) * cells));
      }
    }
    for (std::size_t c = 0; c < cells; ++c) {
      x.clear();
      for (std::size_t r = 0; r < R; ++r) {
        const double y = arm[r * cells + c];
        if (!std::isnan(y)) x.push_back(y);
      }
      if (x.empty()) continue;
      double sum = 0;
      for (const double y : x) sum += y;
      std::sort(x.begin(), x.end());
      double* out = &m.stats[(a * cells + c) * K];
      out[0] = sum / static_cast<double>(x.size());
      for (std::size_t k = 0; k < kP.size(); ++k) out[k + 1] = sorted_quantile(x, kP[k]);
    }
  }
  return m;
}

Table monthly_table(const MonthlySummary& m) {
  Table t;
  t.name = "monthly";
  t.description = "the monthly picture across replications: per arm, month (1 = the first twelfth of year 1, "
                  "365/12 days), service and measure, the mean and type-7 quantiles of the replications' values";
  TableColumn arm{"arm", "", "arm", true, {}, {}}, month{"month", "month", "month of the run, 1 to years x 12", false, {}, {}},
      service{"service", "", "service", true, {}, {}}, measure{"measure", "", "monthly/measure (its unit in monthly/unit)", true, {}, {}};
  std::vector<TableColumn> stat(kMonthlyStatistics.size());
  for (std::size_t k = 0; k < stat.size(); ++k) {
    stat[k].name = kMonthlyStatistics[k];
    stat[k].unit = "the measure's";
    stat[k].description = k == 0 ? "mean across replications" : std::string("quantile (type 7) across replications");
  }
  for (std::size_t a = 0; a < m.arms.size(); ++a) {
    for (std::size_t mo = 0; mo < m.months; ++mo) {
      for (std::size_t s = 0; s < m.services.size(); ++s) {
        for (std::size_t q = 0; q < m.measures.size(); ++q) {
          arm.strings.push_back(m.arms[a]);
          month.numbers.push_back(static_cast<double>(mo + 1));
          service.strings.push_back(m.services[s]);
          measure.strings.push_back(m.measures[q]);
          for (std::size_t k = 0; k < stat.size(); ++k) stat[k].numbers.push_back(m.at(a, mo, s, q, k));
        }
      }
    }
  }
  t.columns = {arm, month, service, measure};
  for (TableColumn& c : stat) t.columns.push_back(std::move(c));
  return t;
}

}  // namespace mhsim::analysis
