// SPDX-License-Identifier: MIT
#pragma once

#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "analysis/results_file.hpp"

namespace mhsim::analysis {

/// Root attributes that say which replications a results file holds: rows
/// [first_replication, first_replication + replications_in_file) of a run of
/// `replications` replications.
inline constexpr const char* kFirstReplication = "first_replication";
inline constexpr const char* kReplicationsInFile = "replications_in_file";
inline constexpr const char* kReplications = "replications";

/// The one check that a results file holds a whole run, for every command that reads one
/// as a run (report, compare, sweep): `rows` (the first dimension of its per-replication
/// datasets) must be every replication of the run, from the first. A shard, a killed run's
/// checkpoint chunk or a file whose rows disagree with its attributes throws
/// std::runtime_error naming the file, what it holds and what to do.
void require_complete_run(const ResultsReader& file, const std::string& path, std::uint64_t rows);

/// Attributes that must agree between blocks of one run (where present).
const std::vector<std::string>& run_identity_attributes();

/// Inputs that cannot be merged; lists every problem (one line each, naming the file).
class MergeError : public std::runtime_error {
 public:
  explicit MergeError(std::vector<std::string> problems);
  const std::vector<std::string>& problems() const noexcept { return problems_; }

 private:
  std::vector<std::string> problems_;
};

/// Joins results files that each hold a block of the same run into `out` (written through
/// a temporary name; `out` appears only when complete). Blocks must not overlap and must be
/// contiguous; with `require_complete` they must cover every replication of the run. Each
/// dataset's rows are copied unchanged, so the merged datasets are byte-identical to those of
/// a single process. Root attributes come from the first block, then `overrides`.
/// Throws MergeError for inputs that do not fit together, std::runtime_error for I/O failures.
/// `before_commit`, when given, is called with the merged file (every row copied) and the
/// inputs in replication order just before it is committed: a place to add datasets derived
/// from the whole run (settlement payouts), so that `out` still appears only complete.
void merge_results(const std::vector<std::string>& inputs, const std::string& out, bool require_complete,
                   const std::map<std::string, AttributeValue>& overrides = {},
                   const std::function<void(ResultsWriter&, const std::vector<std::string>&)>& before_commit = {});

}  // namespace mhsim::analysis
