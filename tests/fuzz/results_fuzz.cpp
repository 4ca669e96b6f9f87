// SPDX-License-Identifier: MIT
// libFuzzer target for the results-file reader (analysis/results_file.hpp, ResultsReader) and
// the summaries that read a file as `mhsim run`, report, compare and sweep do:
// summarise_pathway_file, stored_scenario, summarise_network_file and require_complete_run.
// The input's bytes are written to a temporary file and opened. A file that is not a sound
// mhsim results file must be refused with std::runtime_error (which the commands print as
// "mhsim: <file>: ..."); any other exception, a crash, a hang or a sanitizer report is a bug.
//
// Two modes, by the input's first bytes:
//   - an input that starts with the HDF5 signature is the file itself (the seeds are small
//     real results files of `mhsim run`);
//   - any other input is a list of edits to one of those seeds (structure-aware: the seed's
//     structure is kept and a few bytes anywhere in it changed): byte 0 picks the seed, then
//     each 5 bytes are a 24-bit offset (little-endian, modulo the seed's size), an operation
//     (xor, set, truncate there, or set the 8 bytes there to 0 or all ones, as in an address
//     or a size) and a value.
// HDF5's own error stack printing is off (the reader turns it off).
// Build with clang: see tests/fuzz/README.md.
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "analysis/merge.hpp"
#include "analysis/network_results.hpp"
#include "analysis/pathway_results.hpp"
#include "analysis/results_analysis.hpp"
#include "analysis/results_file.hpp"

#ifndef MHSIM_SOURCE_DIR
#error "MHSIM_SOURCE_DIR must name the source tree (the seed results files)"
#endif

namespace {

namespace fs = std::filesystem;
using mhsim::analysis::ResultsReader;

constexpr unsigned char kSignature[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

// The seeds of tests/fuzz/corpus/results, the bases of the edit mode.
std::vector<std::vector<unsigned char>> load_bases() {
  std::vector<fs::path> paths;
  for (const auto& e : fs::directory_iterator(std::string(MHSIM_SOURCE_DIR) + "/tests/fuzz/corpus/results")) {
    if (e.path().extension() == ".h5") paths.push_back(e.path());
  }
  std::sort(paths.begin(), paths.end());
  std::vector<std::vector<unsigned char>> out;
  for (const fs::path& p : paths) {
    std::ifstream in(p, std::ios::binary);
    out.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  if (out.empty()) {
    std::fprintf(stderr, "results_fuzz: no seed results files (*.h5) in tests/fuzz/corpus/results\n");
    std::abort();
  }
  return out;
}

const std::vector<std::vector<unsigned char>>& bases() {
  static const std::vector<std::vector<unsigned char>> all = load_bases();
  return all;
}

std::vector<unsigned char> edited(const std::uint8_t* data, std::size_t size) {
  const auto& all = bases();
  std::vector<unsigned char> file = all[size == 0 ? 0 : data[0] % all.size()];
  for (std::size_t at = 1; at + 5 <= size && !file.empty(); at += 5) {
    const std::size_t offset =
        (std::size_t{data[at]} | std::size_t{data[at + 1]} << 8 | std::size_t{data[at + 2]} << 16) % file.size();
    const std::uint8_t op = data[at + 3], value = data[at + 4];
    switch (op % 5) {
      case 0: file[offset] ^= value; break;
      case 1: file[offset] = value; break;
      case 2: file.resize(offset); break;
      case 3: std::fill_n(file.data() + offset, std::min<std::size_t>(8, file.size() - offset), 0); break;
      default: std::fill_n(file.data() + offset, std::min<std::size_t>(8, file.size() - offset), 0xff); break;
    }
  }
  return file;
}

// A temporary directory of this process; each input gets a new name (HDF5 recognises a file
// it has open by its identity, so a name is never reused while the library might hold it).
const std::string& work_dir() {
  static const std::string dir = [] {
    std::string tmpl = (fs::temp_directory_path() / "mhsim-results-fuzz-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
    return tmpl;
  }();
  return dir;
}

// Runs one reading step: it returns or throws std::runtime_error with a message.
void step(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::runtime_error& e) {
    if (std::strlen(e.what()) == 0) std::abort();
  }
}

void read_everything(const ResultsReader& f, const std::string& path) {
  step([&] { (void)f.attributes(); });
  step([&] {
    for (const ResultsReader::DatasetInfo& info : f.dataset_info()) {
      step([&] {
        if (info.is_labels) {
          (void)f.labels(info.path);
        } else {
          (void)f.raw(info.path);
          if (!info.shape.empty() && info.shape[0] > 0) (void)f.raw_rows(info.path, info.shape[0] - 1, 1);
        }
      });
    }
  });
  const std::vector<std::string> names = f.datasets();
  const auto has = [&](const char* name) { return std::binary_search(names.begin(), names.end(), name); };
  if (has("ledger/partner_cost")) {
    step([&] { (void)mhsim::analysis::summarise_pathway_file(f); });
    step([&] { (void)mhsim::analysis::stored_scenario(f, path); });
    step([&] {
      const std::vector<std::uint64_t> shape = f.shape("ledger/partner_cost");  // as sweep reads it
      mhsim::analysis::require_complete_run(f, path, shape.empty() ? 0 : shape[0]);
    });
  }
  if (has("stations/mean_wait")) {
    step([&] {
      const std::size_t stations = f.labels("stations/name").size();
      (void)mhsim::analysis::summarise_network_file(f, stations, 100.0);
    });
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)bases();
  (void)work_dir();
  // Each process makes its own directory (each child in -fork mode): removed on a normal exit
  // (registered after work_dir's string is built, so it runs before that string is destroyed).
  std::atexit([] { fs::remove_all(work_dir()); });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static std::uint64_t count = 0;
  const bool whole = size >= sizeof kSignature && std::memcmp(data, kSignature, sizeof kSignature) == 0;
  const std::vector<unsigned char> bytes = whole ? std::vector<unsigned char>(data, data + size) : edited(data, size);
  const std::string path = work_dir() + "/" + std::to_string(count++) + ".h5";
  {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!out) std::abort();
  }
  std::unique_ptr<ResultsReader> file;
  step([&] { file = std::make_unique<ResultsReader>(path); });
  if (file) read_everything(*file, path);
  file.reset();
  fs::remove(path);
  return 0;
}
