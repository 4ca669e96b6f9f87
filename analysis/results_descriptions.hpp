// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mhsim::analysis {

/// What the results schema says about its datasets, in one table (issue 20, "HDF5 that
/// describes itself"): every numeric dataset's units and one-sentence description, and what
/// each of its dimensions is. ResultsWriter applies it to every file it finishes
/// (attributes `units`, `description`, and `units_by` where the unit varies along an axis;
/// HDF5 dimension scales and labels, docs/results-schema.md "Units and dimension scales").
/// Pure data: no HDF5 here.

/// One dimension of a dataset: its label ("arm", "year", ...) and the 1-D dataset whose
/// entries name or number its positions (its dimension scale), "" when it has none.
struct Axis {
  std::string label;
  std::string scale;
  /// For a scale the writer generates itself (scales/*, numbers): the first value (the
  /// replication axis starts at the file's first replication instead).
  std::uint64_t first = 0;
  bool generated = false;
  /// For a generated scale of names (scales/flow): its entries, written as strings instead of
  /// numbers.
  std::vector<std::string> names = {};
};

struct DatasetDescription {
  std::string path;
  std::string units;        ///< "GBP", "people", "days", "1" (dimensionless), ... or "various"
  std::string units_by;     ///< when units vary along the last axis: the string dataset giving them
  std::string description;  ///< what one cell means
  std::vector<Axis> axes;   ///< one per dimension, replications first for per-replication data
  bool fixed = false;       ///< not per replication (e.g. psa/base): its first axis is not replications
};

/// Every numeric dataset of results and sweep files, and the generated scale datasets.
const std::vector<DatasetDescription>& dataset_descriptions();
/// The description of `path`, or nullptr.
const DatasetDescription* describe_dataset(const std::string& path);
/// Whether `path` is a numeric dataset that is not per replication (psa/base, scales/year...):
/// merge copies it whole instead of row by row.
bool is_fixed_dataset(const std::string& path);
/// Generated scales (scales/*: numbers, or the fixed names of scales/flow) are rebuilt by every writer from the shapes of the datasets
/// they index; merge does not copy them.
bool is_generated_scale(const std::string& path);

}  // namespace mhsim::analysis
