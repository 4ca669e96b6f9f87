// SPDX-License-Identifier: MIT
#include "analysis/merge.hpp"

#include "analysis/results_descriptions.hpp"

#include <algorithm>

namespace mhsim::analysis {

namespace {

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += (out.empty() ? "" : "\n") + l;
  return out;
}


// What merging needs to know about an input; its file is opened again, alone, to copy rows,
// so memory does not grow with the number of inputs.
struct Block {
  std::string file;
  std::map<std::string, AttributeValue> attrs;
  std::vector<ResultsReader::DatasetInfo> layout;
  std::map<std::string, std::vector<unsigned char>> labels;
  std::uint64_t first = 0;
  std::uint64_t count = 0;
};

std::uint64_t uint_attr(const Block& b, const char* name, std::vector<std::string>& problems) {
  const auto it = b.attrs.find(name);
  if (it == b.attrs.end() || !std::holds_alternative<std::uint64_t>(it->second)) {
    problems.push_back(b.file + ": expected an integer attribute '" + name + "', got none");
    return 0;
  }
  return std::get<std::uint64_t>(it->second);
}

}  // namespace

const std::vector<std::string>& run_identity_attributes() {
  static const std::vector<std::string> names = {"format",         "schema_version", "model",
                                                 "scenario_sha256", "seed",           "replications",
                                                 "horizon_days",   "warmup_days",    "mhsim_version",
                                                 "rng_scheme"};
  return names;
}

MergeError::MergeError(std::vector<std::string> problems)
    : std::runtime_error(join_lines(problems)), problems_(std::move(problems)) {}

void merge_results(const std::vector<std::string>& inputs, const std::string& out, bool require_complete,
                   const std::map<std::string, AttributeValue>& overrides,
                   const std::function<void(ResultsWriter&, const std::vector<std::string>&)>& before_commit) {
  std::vector<std::string> problems;
  if (inputs.empty()) throw MergeError({"expected at least one results file to merge, got none"});
  std::vector<Block> blocks;
  for (const std::string& file : inputs) {
    Block b;
    b.file = file;
    try {
      const ResultsReader reader(file);
      b.attrs = reader.attributes();
      b.layout = reader.dataset_info();
      for (const auto& d : b.layout) {
        if (d.is_labels || d.fixed) b.labels[d.path] = reader.raw(d.path);
      }
    } catch (const std::exception& e) {
      problems.push_back(e.what());
      continue;
    }
    b.first = uint_attr(b, kFirstReplication, problems);
    b.count = uint_attr(b, kReplicationsInFile, problems);
    uint_attr(b, kReplications, problems);
    blocks.push_back(std::move(b));
  }
  if (!problems.empty()) throw MergeError(problems);

  // One run: identity attributes agree.
  const Block& ref = blocks.front();
  for (const Block& b : blocks) {
    for (const std::string& name : run_identity_attributes()) {
      const auto a = ref.attrs.find(name), o = b.attrs.find(name);
      if (a == ref.attrs.end() && o == b.attrs.end()) continue;
      if (a == ref.attrs.end() || o == b.attrs.end() || a->second != o->second) {
        problems.push_back(b.file + ": " + name + ": expected " + (a == ref.attrs.end() ? "none" : describe(a->second)) +
                           " as in " + ref.file + ", got " + (o == b.attrs.end() ? "none" : describe(o->second)) +
                           " (not the same run)");
      }
    }
  }
  if (!problems.empty()) throw MergeError(problems);

  // Blocks are disjoint and contiguous.
  std::sort(blocks.begin(), blocks.end(), [](const Block& a, const Block& b) { return a.first < b.first; });
  const std::uint64_t total = std::get<std::uint64_t>(ref.attrs.at(kReplications));
  for (std::size_t i = 1; i < blocks.size(); ++i) {
    const std::uint64_t end = blocks[i - 1].first + blocks[i - 1].count;
    if (blocks[i].first < end) {
      problems.push_back(blocks[i].file + ": expected replications from " + std::to_string(end) + " on (after " +
                         blocks[i - 1].file + "), got a block starting at " + std::to_string(blocks[i].first) +
                         " (overlap)");
    } else if (blocks[i].first > end) {
      problems.push_back("replications " + std::to_string(end) + ".." + std::to_string(blocks[i].first - 1) +
                         ": expected in one of the inputs, got none (missing)");
    }
  }
  const std::uint64_t first = blocks.front().first;
  const std::uint64_t end = blocks.back().first + blocks.back().count;
  if (require_complete && first > 0) {
    problems.push_back("replications 0.." + std::to_string(first - 1) + ": expected in one of the inputs, got none (missing)");
  }
  if (require_complete && end < total) {
    problems.push_back("replications " + std::to_string(end) + ".." + std::to_string(total - 1) +
                       ": expected in one of the inputs, got none (missing)");
  }
  if (end > total) problems.push_back(blocks.back().file + ": expected replications below " + std::to_string(total) + ", got " + std::to_string(end - 1));

  // Same datasets everywhere.
  const std::vector<ResultsReader::DatasetInfo>& layout = ref.layout;
  for (const Block& b : blocks) {
    const auto& other = b.layout;
    for (const auto& d : layout) {
      const auto it = std::find_if(other.begin(), other.end(), [&](const auto& o) { return o.path == d.path; });
      if (it == other.end()) {
        problems.push_back(b.file + ": " + d.path + ": expected a dataset, got none");
        continue;
      }
      const bool whole = d.is_labels || d.fixed;  // not per replication: the same in every block
      std::vector<std::uint64_t> row_a(d.shape.begin() + (whole ? 0 : 1), d.shape.end());
      std::vector<std::uint64_t> row_b(it->shape.begin() + (it->is_labels || it->fixed ? 0 : 1), it->shape.end());
      if (it->is_labels != d.is_labels || it->fixed != d.fixed || it->type != d.type || row_a != row_b ||
          (!whole && (it->shape.empty() || it->shape.front() != b.count)) ||
          (whole && b.labels.at(d.path) != ref.labels.at(d.path))) {
        problems.push_back(b.file + ": " + d.path + ": expected the same type, row shape and labels as in " + ref.file +
                           ", got a different dataset");
      }
    }
    if (other.size() != layout.size()) {
      problems.push_back(b.file + ": expected " + std::to_string(layout.size()) + " datasets as in " + ref.file +
                         ", got " + std::to_string(other.size()));
    }
  }
  if (!problems.empty()) throw MergeError(problems);

  ResultsWriter w(out, end - first, first);
  for (const auto& [name, value] : ref.attrs) w.attribute(name, value);
  // Block attributes describe the merged file; overrides (threads, wall time...) win.
  std::map<std::string, AttributeValue> final_attrs = overrides;
  final_attrs[kFirstReplication] = first;
  final_attrs[kReplicationsInFile] = end - first;
  for (const auto& [name, value] : final_attrs) w.attribute(name, value);
  {
    const ResultsReader first_input(ref.file);
    for (const auto& d : layout) {
      // Number scales (scales/*) are made again by the writer for the merged file.
      if (is_generated_scale(d.path)) continue;
      if (d.is_labels) w.labels(d.path, first_input.labels(d.path), d.shape);
      else if (d.fixed) w.constants(d.path, first_input.read_double(d.path));
      else w.define_shape(d.path, d.type, std::vector<std::uint64_t>(d.shape.begin() + 1, d.shape.end()));
    }
  }
  // One input open at a time, copied in slabs of rows.
  constexpr std::uint64_t kSlab = 16384;
  for (const Block& b : blocks) {
    const ResultsReader reader(b.file);
    for (const auto& d : layout) {
      if (d.is_labels || d.fixed || is_generated_scale(d.path)) continue;
      for (std::uint64_t r = 0; r < b.count; r += kSlab) {
        const std::uint64_t n = std::min(kSlab, b.count - r);
        const std::vector<unsigned char> bytes = reader.raw_rows(d.path, r, n);
        w.write_rows(d.path, b.first + r, n, bytes.data());
      }
    }
  }
  if (before_commit) {
    std::vector<std::string> ordered;
    for (const Block& b : blocks) ordered.push_back(b.file);
    before_commit(w, ordered);
  }
  w.commit();
}

void require_complete_run(const ResultsReader& file, const std::string& path, std::uint64_t rows) {
  if (!file.has_attribute(kReplications)) {
    throw std::runtime_error(path + ": root attribute replications is missing (not a complete mhsim results file)");
  }
  const std::uint64_t stated = file.uint_attribute(kReplications);
  const std::uint64_t first = file.has_attribute(kFirstReplication) ? file.uint_attribute(kFirstReplication) : 0;
  const std::uint64_t in_file = file.has_attribute(kReplicationsInFile) ? file.uint_attribute(kReplicationsInFile) : rows;
  if (first == 0 && rows == stated && in_file == stated) return;
  const std::string held = rows == 0 ? std::string("no replications")
                                     : "replications " + std::to_string(first) + " to " + std::to_string(first + rows - 1);
  throw std::runtime_error(path + ": holds " + held + " of a run of " + std::to_string(stated) +
                           " (a shard, or a chunk of an interrupted run): join the shards with `mhsim merge`, or "
                           "finish the run with `mhsim run ... --resume`, first");
}

}  // namespace mhsim::analysis
