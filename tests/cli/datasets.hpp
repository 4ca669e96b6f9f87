// SPDX-License-Identifier: MIT
#pragma once
// Every dataset of a results file as raw bytes in its stored type, for byte-for-byte
// comparisons between runs.

#include <map>
#include <string>
#include <vector>

#include "analysis/results_file.hpp"

namespace mhsim::test {

using Datasets = std::map<std::string, std::vector<unsigned char>>;

inline Datasets datasets_of(const std::string& file) {
  analysis::ResultsReader r(file);
  Datasets out;
  for (const std::string& name : r.datasets()) out[name] = r.raw(name);
  return out;
}

}  // namespace mhsim::test
