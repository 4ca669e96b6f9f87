// SPDX-License-Identifier: MIT
// The replication pipeline on a model of the test's own (a Result type no model defines):
// chunks, merge, resume after an interruption, refusal to mix runs, shards, and the
// whole-run finalise step. Every expected value is computed here from the toy model's
// definition, not by the pipeline.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <boost/random/uniform_01.hpp>

#include "analysis/merge.hpp"
#include "analysis/results_file.hpp"
#include "engine/random.hpp"
#include "pipeline/replications.hpp"

namespace fs = std::filesystem;
namespace pl = mhsim::pipeline;
using mhsim::analysis::ResultsReader;
using mhsim::analysis::ResultsWriter;

namespace {

struct Draw {
  double value = 0;
  std::uint64_t index = 0;
};

// One uniform from the replication's "toy" stream: what the model would draw on its own.
double expected_value(std::uint64_t seed, std::uint64_t index) {
  auto rng = mhsim::engine::RandomStreams{seed, index}.stream("toy");
  return boost::random::uniform_01<double>()(rng);
}

pl::ModelRun<Draw> toy(std::uint64_t seed, std::uint64_t replications) {
  pl::ModelRun<Draw> job;
  job.model = "toy";
  job.file = "toy.toml";
  job.name = "toy";
  job.text = "a toy model";
  job.seed = seed;
  job.replications = replications;
  job.simulate = [](const mhsim::engine::ReplicationContext& rep) {
    auto rng = rep.streams().stream("toy");
    return Draw{boost::random::uniform_01<double>()(rng), rep.index};
  };
  job.write_block = [](ResultsWriter& out, const pl::Attributes& attrs, std::uint64_t first,
                       const std::vector<Draw>& rows) {
    for (const auto& [name, value] : attrs) out.attribute(name, value);
    out.attribute("first_replication", first);
    out.attribute("replications_in_file", static_cast<std::uint64_t>(rows.size()));
    out.define("toy/value", ResultsWriter::Type::kFloat64);
    out.define("toy/index", ResultsWriter::Type::kFloat64);
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const double index = static_cast<double>(rows[i].index);
      out.write("toy/value", first + i, &rows[i].value);
      out.write("toy/index", first + i, &index);
    }
  };
  return job;
}

fs::path scratch(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("mhsim_pipeline_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir / name;
}

pl::RunConfig config_for(const std::string& name, std::uint64_t chunk_size) {
  pl::RunConfig c;
  c.out = scratch(name).string();
  c.chunk_size = chunk_size;
  fs::remove(c.out);
  fs::remove_all(c.out + ".partial");
  return c;
}

std::vector<double> expected_values(std::uint64_t seed, std::uint64_t first, std::uint64_t count) {
  std::vector<double> v;
  for (std::uint64_t r = first; r < first + count; ++r) v.push_back(expected_value(seed, r));
  return v;
}

}  // namespace

TEST_CASE("Pipeline: a model's replications arrive in chunks and merge into one file in replication order",
          "[pipeline]") {
  const pl::ModelRun<Draw> job = toy(42, 10);
  pl::RunConfig config = config_for("chunks.h5", 3);  // chunks of 3, 3, 3 and 1
  config.threads = 2;
  const pl::RunOutcome outcome = pl::run_replications(job, config);
  REQUIRE(outcome.completed);
  CHECK(outcome.replications_run == 10);
  CHECK(outcome.replications_resumed == 0);
  CHECK_FALSE(fs::exists(config.out + ".partial"));
  const ResultsReader file(config.out);
  CHECK(file.read_double("toy/value") == expected_values(42, 0, 10));
  CHECK(file.read_double("toy/index") == std::vector<double>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  CHECK(file.string_attribute("model") == "toy");
  CHECK(file.uint_attribute("seed") == 42);
  CHECK(file.uint_attribute("replications") == 10);
  CHECK(file.uint_attribute("chunk_size") == 3);

  // Any order of simulation gives the same file.
  pl::RunConfig reversed = config_for("reversed.h5", 3);
  reversed.order = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0};
  REQUIRE(pl::run_replications(job, reversed).completed);
  CHECK(ResultsReader(reversed.out).read_double("toy/value") == file.read_double("toy/value"));
}

TEST_CASE("Pipeline: an interrupted run keeps its finished chunks and --resume runs only the rest", "[pipeline]") {
  const pl::ModelRun<Draw> job = toy(7, 10);
  pl::RunConfig config = config_for("resume.h5", 3);
  std::atomic<bool> cancel{false};
  int seen = 0;
  config.cancel = &cancel;
  config.on_replication = [&] {
    if (++seen == 4) cancel = true;  // during the second chunk (one thread: no more start)
  };
  const pl::RunOutcome first = pl::run_replications(job, config);
  CHECK_FALSE(first.completed);
  CHECK_FALSE(fs::exists(config.out));  // the results file appears only complete
  CHECK(fs::exists(fs::path(first.partial_dir) / "chunk-000000000000.h5"));
  CHECK_FALSE(fs::exists(fs::path(first.partial_dir) / "chunk-000000000001.h5"));

  // Without --resume the partial run is not touched.
  pl::RunConfig again = config_for("unused.h5", 3);
  again.out = config.out;
  CHECK_THROWS_AS(pl::run_replications(job, again), pl::RunInputError);
  CHECK(fs::exists(first.partial_dir));

  // A different run may not resume it: the seed is part of its identity.
  pl::RunConfig other = again;
  other.resume = true;
  try {
    pl::run_replications(toy(8, 10), other);
    FAIL("resuming another run's chunks must be refused");
  } catch (const pl::RunInputError& e) {
    CHECK_THAT(e.what(), Catch::Contains("seed: expected 8 (this run), got 7"));
  }

  pl::RunConfig resume = again;
  resume.resume = true;
  const pl::RunOutcome second = pl::run_replications(job, resume);
  REQUIRE(second.completed);
  CHECK(second.replications_resumed == 3);
  CHECK(second.replications_run == 7);
  CHECK(ResultsReader(config.out).read_double("toy/value") == expected_values(7, 0, 10));
  CHECK_FALSE(fs::exists(first.partial_dir));
}

TEST_CASE("Pipeline: shards hold consecutive blocks and merge into the whole run", "[pipeline]") {
  const pl::ModelRun<Draw> job = toy(5, 11);
  std::vector<std::string> parts;
  std::uint64_t next = 0;
  for (std::uint64_t i = 0; i < 3; ++i) {
    pl::RunConfig c = config_for("shard" + std::to_string(i) + ".h5", 2);
    c.shard_index = i;
    c.shard_count = 3;
    const pl::RunOutcome o = pl::run_replications(job, c);
    REQUIRE(o.completed);
    CHECK(o.first == next);
    next += o.count;
    CHECK(ResultsReader(c.out).read_double("toy/value") == expected_values(5, o.first, o.count));
    parts.push_back(c.out);
  }
  CHECK(next == 11);
  const std::string merged = scratch("merged.h5").string();
  fs::remove(merged);
  mhsim::analysis::merge_results(parts, merged, true);
  CHECK(ResultsReader(merged).read_double("toy/value") == expected_values(5, 0, 11));
}

TEST_CASE("Pipeline: finalise sees every replication of a complete run, and is skipped for a shard", "[pipeline]") {
  pl::ModelRun<Draw> job = toy(3, 5);
  int calls = 0;
  job.finalise = [&](ResultsWriter& out, const std::vector<std::string>& blocks) {
    ++calls;
    double total = 0;
    for (const std::string& b : blocks) {
      for (const double v : ResultsReader(b).read_double("toy/value")) total += v;
    }
    out.attribute("toy_total", total);
  };
  pl::RunConfig whole = config_for("final.h5", 2);
  REQUIRE(pl::run_replications(job, whole).completed);
  CHECK(calls == 1);
  double expected = 0;
  for (const double v : expected_values(3, 0, 5)) expected += v;
  const auto attrs = ResultsReader(whole.out).attributes();
  REQUIRE(attrs.count("toy_total") == 1);
  CHECK(attrs.at("toy_total") == mhsim::analysis::AttributeValue(expected));

  pl::RunConfig shard = config_for("final_shard.h5", 2);
  shard.shard_count = 2;
  REQUIRE(pl::run_replications(job, shard).completed);
  CHECK(calls == 1);
}
