// SPDX-License-Identifier: MIT
// Every write of the mhsim binary is all or nothing, and every error path is exercised with
// injected faults (issue 18): a full disk (a small tmpfs filled up) and a read-only folder,
// each mounted in a private mount namespace (`unshare -m`, which needs root or
// CAP_SYS_ADMIN), a process killed during the final merge, a shard with nothing to run and
// two processes resuming one run at once. Each case checks the exit code, that the message
// names the file and the operating system's reason, that files that were there before are
// unchanged, and that no temporary file is left.
//
// MHSIM_WRITE_FAULTS_BINARY=/path/to/mhsim runs these cases against another build (to see
// them fail on one without the fixes).
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cli/datasets.hpp"
#include "cli/process.hpp"

namespace fs = std::filesystem;
using mhsim::test::datasets_of;
using mhsim::test::ProcessResult;
using mhsim::test::run_process;
using mhsim::test::slurp_file;

namespace {

const std::string kBin = std::getenv("MHSIM_WRITE_FAULTS_BINARY") ? std::getenv("MHSIM_WRITE_FAULTS_BINARY") : MHSIM_BINARY;
const std::string kSrc = MHSIM_SOURCE_DIR;
const std::string kNetwork = kSrc + "/scenarios/examples/mm1.toml";
const std::string kPathway = kSrc + "/scenarios/examples/pathway_minimal.toml";

fs::path scratch(const std::string& name) {
  std::fflush(nullptr);  // a forked child would otherwise print what is still buffered
  const fs::path dir = fs::temp_directory_path() / ("mhsim_write_faults_" + std::to_string(::getpid())) / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

void put(const fs::path& file, const std::string& text) {
  std::ofstream out(file, std::ios::binary);
  out << text;
}

// Whether this process may mount file systems in a private mount namespace.
bool can_mount() {
  static const bool ok =
      run_process({"/bin/sh", "-c", "unshare -m sh -c 'mount -t tmpfs -o size=16k none /mnt' 2>/dev/null"}).exit_code == 0;
  return ok;
}

// Catch2 2 has no SKIP: say why, and pass.
#define REQUIRE_MOUNT_OR_SKIP()                                                                                 \
  do {                                                                                                          \
    if (!can_mount()) {                                                                                         \
      WARN("skipped: `unshare -m` and `mount -t tmpfs` need root (or CAP_SYS_ADMIN) to inject disk faults"); \
      return;                                                                                                   \
    }                                                                                                           \
  } while (false)

// Runs `script` with /bin/sh in a private mount namespace: its mounts vanish when it ends.
ProcessResult in_namespace(const std::string& script) {
  return run_process({"/bin/sh", "-c", "exec unshare -m /bin/sh -c \"$0\"", script});
}

// Shell text that mounts a tmpfs of `kb` KiB at `dir`.
std::string mount_tmpfs(const fs::path& dir, int kb) {
  const std::string d = "'" + dir.string() + "'";
  return "mkdir -p " + d + " && mount -t tmpfs -o size=" + std::to_string(kb) + "k none " + d + "\n";
}
// Shell text that fills the file system of `dir`, leaving `free_kb` KiB free.
std::string fill(const fs::path& dir, int free_kb) {
  const std::string f = "'" + (dir / "fill").string() + "'";
  return "dd if=/dev/zero of=" + f + " bs=1k 2>/dev/null || true\n" +
         (free_kb > 0 ? "truncate -s -" + std::to_string(free_kb) + "K " + f + "\n" : std::string());
}

// Files whose name holds ".tmp-" anywhere under `dir`.
std::vector<std::string> temporaries(const fs::path& dir) {
  std::vector<std::string> found;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.path().filename().string().find(".tmp") != std::string::npos) found.push_back(e.path().string());
  }
  return found;
}

std::size_t chunk_files(const fs::path& dir) {
  std::size_t n = 0;
  for (const auto& e : fs::directory_iterator(dir)) n += e.path().filename().string().rfind("chunk-", 0) == 0;
  return n;
}

// A process id that no process has: a child that has ended.
pid_t dead_pid() {
  const pid_t pid = ::fork();
  if (pid == 0) _exit(0);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return pid;
}

std::vector<std::string> mm1(const fs::path& out, std::vector<std::string> extra = {}) {
  std::vector<std::string> a = {kBin, "run", kNetwork, "--reps", "2", "--threads", "1", "--seed", "5", "-q",
                                "--out", out.string()};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

std::string command_line(const std::vector<std::string>& args) {
  std::string s;
  for (const std::string& a : args) s += (s.empty() ? "'" : " '") + a + "'";
  return s;
}

// The results of an uninterrupted run, to compare with.
const fs::path& reference_run() {
  static const fs::path out = [] {
    const fs::path p = scratch("reference") / "out.h5";
    const auto r = run_process(mm1(p));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return p;
  }();
  return out;
}

// `mhsim run` whose final merge meets a full disk: <dir>/disk is a 256 KiB tmpfs holding an
// earlier out.h5, filled up but `free_kb`; the checkpoint directory out.h5.partial is a
// roomy tmpfs of its own, so the chunks fit and only the merge fails (the directory exists,
// hence --resume, which with no chunks in it runs everything). Afterwards the disk's content
// is copied to <dir>/after.
ProcessResult run_meeting_a_full_disk(const fs::path& dir, int free_kb) {
  const fs::path disk = dir / "disk", after = dir / "after";
  fs::create_directories(after);
  const std::string script = mount_tmpfs(disk, 256) + "printf 'earlier results' > '" + (disk / "out.h5").string() +
                             "'\n" + "mkdir '" + (disk / "out.h5.partial").string() + "' && mount -t tmpfs -o size=8m none '" +
                             (disk / "out.h5.partial").string() + "'\n" + fill(disk, free_kb) +
                             command_line(mm1(disk / "out.h5", {"--resume"})) + "\necho \"exit=$?\"\nrm -f '" +
                             (disk / "fill").string() + "'\ncp -a '" + disk.string() + "/.' '" + after.string() + "/'\n";
  return in_namespace(script);
}

}  // namespace

TEST_CASE("Write faults: a full disk during run's final merge -> exit 1, chunks kept, --resume finishes",
          "[cli][write-faults]") {
  REQUIRE_MOUNT_OR_SKIP();
  for (const int free_kb : {0, 8}) {  // the temporary cannot be created; it is created and its writes fail
    INFO("free KiB " << free_kb);
    const fs::path dir = scratch("run_full_" + std::to_string(free_kb));
    const ProcessResult r = run_meeting_a_full_disk(dir, free_kb);
    INFO(r.err);
    CHECK_THAT(r.out, Catch::Contains("exit=1\n"));  // not 139 (SIGSEGV)
    CHECK_THAT(r.err, Catch::Contains("/disk/out.h5"));
    CHECK_THAT(r.err, Catch::Contains("No space left on device"));
    CHECK_THAT(r.err, Catch::Contains("the finished chunks are kept in " + (dir / "disk" / "out.h5.partial").string()));
    CHECK_THAT(r.err, Catch::Contains("--resume"));
    const fs::path after = dir / "after";
    CHECK(slurp_file((after / "out.h5").string()) == "earlier results");
    CHECK(temporaries(after).empty());
    CHECK(chunk_files(after / "out.h5.partial") == 2);
    // Once there is room, --resume merges the kept chunks into the same results.
    const auto resumed = run_process(mm1(after / "out.h5", {"--resume"}));
    INFO(resumed.err);
    REQUIRE(resumed.exit_code == 0);
    CHECK_THAT(resumed.out, Catch::Contains("Resumed: 2 replications were already finished; 0 run now"));
    CHECK(datasets_of((after / "out.h5").string()) == datasets_of(reference_run().string()));
    CHECK_FALSE(fs::exists(after / "out.h5.partial"));
    CHECK(temporaries(after).empty());
  }
}

TEST_CASE("Write faults: a disk full before any chunk is written -> exit 1, nothing left behind",
          "[cli][write-faults]") {
  REQUIRE_MOUNT_OR_SKIP();
  const fs::path dir = scratch("run_full_early"), disk = dir / "disk", after = dir / "after";
  fs::create_directories(after);
  const std::string script = mount_tmpfs(disk, 64) + "printf 'earlier results' > '" + (disk / "out.h5").string() + "'\n" +
                             fill(disk, 0) + command_line(mm1(disk / "out.h5")) + "\necho \"exit=$?\"\nrm -f '" +
                             (disk / "fill").string() + "'\ncp -a '" + disk.string() + "/.' '" + after.string() + "/'\n";
  const ProcessResult r = in_namespace(script);
  INFO(r.err);
  CHECK_THAT(r.out, Catch::Contains("exit=1\n"));
  CHECK_THAT(r.err, Catch::Contains("out.h5.partial/chunk-"));
  CHECK_THAT(r.err, Catch::Contains("No space left on device"));
  CHECK(slurp_file((after / "out.h5").string()) == "earlier results");
  CHECK_FALSE(fs::exists(after / "out.h5.partial"));  // would refuse the next run without --resume
  CHECK(temporaries(after).empty());
}

TEST_CASE("Write faults: a full disk during mhsim merge -> exit 1, earlier file unchanged, no temporary",
          "[cli][write-faults]") {
  REQUIRE_MOUNT_OR_SKIP();
  const fs::path dir = scratch("merge_full");
  const fs::path s0 = dir / "s0.h5", s1 = dir / "s1.h5";
  REQUIRE(run_process(mm1(s0, {"--shard", "0/2"})).exit_code == 0);
  REQUIRE(run_process(mm1(s1, {"--shard", "1/2"})).exit_code == 0);
  const std::string earlier = slurp_file(reference_run().string());  // an earlier merge's results
  for (const int free_kb : {0, 8}) {
    INFO("free KiB " << free_kb);
    const fs::path disk = dir / ("disk" + std::to_string(free_kb)), after = dir / ("after" + std::to_string(free_kb));
    fs::create_directories(after);
    const std::string script = mount_tmpfs(disk, 256) + "cp '" + reference_run().string() + "' '" +
                               (disk / "merged.h5").string() + "'\n" + fill(disk, free_kb) +
                               command_line({kBin, "merge", s0.string(), s1.string(), "--out", (disk / "merged.h5").string()}) +
                               "\necho \"exit=$?\"\nrm -f '" + (disk / "fill").string() + "'\ncp -a '" + disk.string() +
                               "/.' '" + after.string() + "/'\n";
    const ProcessResult r = in_namespace(script);
    INFO(r.err);
    CHECK_THAT(r.out, Catch::Contains("exit=1\n"));
    CHECK_THAT(r.err, Catch::Contains("merged.h5"));
    CHECK_THAT(r.err, Catch::Contains("No space left on device"));
    CHECK_THAT(r.err, Catch::Contains("is unchanged"));
    CHECK(slurp_file((after / "merged.h5").string()) == earlier);
    CHECK(temporaries(after).empty());
  }
}

TEST_CASE("Write faults: mhsim report writes every output or none", "[cli][write-faults]") {
  REQUIRE_MOUNT_OR_SKIP();
  const fs::path dir = scratch("report");
  const fs::path results = dir / "run.h5";
  {
    const auto r = run_process({kBin, "run", kPathway, "--reps", "2", "--threads", "1", "-q", "--out", results.string()});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
  }
  SECTION("the CSV folder is read-only: the JSON written before it is undone, the earlier JSON kept") {
    const fs::path json = dir / "summary.json", ro = dir / "ro";
    put(json, "earlier json");
    const std::string script = "mkdir -p '" + ro.string() + "' && mount -t tmpfs -o ro none '" + ro.string() + "'\n" +
                               command_line({kBin, "report", results.string(), "--json", json.string(), "--h5",
                                             (dir / "voi.h5").string(), "--csv", (ro / "tables").string()}) +
                               "\necho \"exit=$?\"\n";
    const ProcessResult r = in_namespace(script);
    INFO(r.err);
    CHECK_THAT(r.out, Catch::Contains("exit=1\n"));
    CHECK_THAT(r.err, Catch::Contains(ro.string() + "/tables"));
    CHECK_THAT(r.err, Catch::Contains("Read-only file system"));
    CHECK_THAT(r.err, Catch::Contains("nothing was written"));
    CHECK(slurp_file(json.string()) == "earlier json");
    CHECK_FALSE(fs::exists(dir / "voi.h5"));
    CHECK(temporaries(dir).empty());
  }
  SECTION("the CSV folder's disk fills up: no JSON, no HDF5, the earlier CSV kept") {
    const fs::path json = dir / "new.json", disk = dir / "disk", after = dir / "after";
    fs::create_directories(after);
    const std::string script = mount_tmpfs(disk, 64) + "mkdir '" + (disk / "tables").string() + "'\nprintf 'earlier csv' > '" +
                               (disk / "tables" / "summary.csv").string() + "'\n" + fill(disk, 0) +
                               command_line({kBin, "report", results.string(), "--json", json.string(), "--h5",
                                             (dir / "voi.h5").string(), "--csv", (disk / "tables").string()}) +
                               "\necho \"exit=$?\"\nrm -f '" + (disk / "fill").string() + "'\ncp -a '" + disk.string() +
                               "/.' '" + after.string() + "/'\n";
    const ProcessResult r = in_namespace(script);
    INFO(r.err);
    CHECK_THAT(r.out, Catch::Contains("exit=1\n"));
    CHECK_THAT(r.err, Catch::Contains((disk / "tables").string() + "/"));
    CHECK_THAT(r.err, Catch::Contains("No space left on device"));
    CHECK_FALSE(fs::exists(json));
    CHECK_FALSE(fs::exists(dir / "voi.h5"));
    CHECK(slurp_file((after / "tables" / "summary.csv").string()) == "earlier csv");
    CHECK(std::distance(fs::directory_iterator(after / "tables"), fs::directory_iterator{}) == 1);
    CHECK(temporaries(dir).empty());
  }
  SECTION("a new CSV folder is removed again when a later output fails") {
    const fs::path ro = dir / "ro_html";
    const std::string script = "mkdir -p '" + ro.string() + "' && mount -t tmpfs -o ro none '" + ro.string() + "'\n" +
                               command_line({kBin, "report", results.string(), "--csv", (dir / "new_tables").string(),
                                             "--json", (ro / "summary.json").string()}) +
                               "\necho \"exit=$?\"\n";
    const ProcessResult r = in_namespace(script);
    INFO(r.err);
    CHECK_THAT(r.out, Catch::Contains("exit=1\n"));
    CHECK_THAT(r.err, Catch::Contains(ro.string() + "/summary.json"));
    CHECK_FALSE(fs::exists(dir / "new_tables"));
    CHECK(temporaries(dir).empty());
  }
}

TEST_CASE("Write faults: mhsim sweep leaves no temporary when its write fails", "[cli][write-faults]") {
  REQUIRE_MOUNT_OR_SKIP();
  const fs::path dir = scratch("sweep"), results = dir / "run.h5", disk = dir / "disk", after = dir / "after";
  {
    const auto r = run_process({kBin, "run", kPathway, "--reps", "2", "--threads", "1", "-q", "--out", results.string()});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
  }
  fs::create_directories(after);
  const std::string script = mount_tmpfs(disk, 64) + "printf 'earlier sweep' > '" + (disk / "sweep.csv").string() + "'\n" +
                             fill(disk, 0) +
                             command_line({kBin, "sweep", kPathway, "--results", results.string(), "--set",
                                           "arms.alliance.contracts.alliance.share=0.3,0.5", "--out",
                                           (disk / "sweep.csv").string()}) +
                             "\necho \"exit=$?\"\nrm -f '" + (disk / "fill").string() + "'\ncp -a '" + disk.string() +
                             "/.' '" + after.string() + "/'\n";
  const ProcessResult r = in_namespace(script);
  INFO(r.err);
  CHECK_THAT(r.out, Catch::Contains("exit=1\n"));
  CHECK_THAT(r.err, Catch::Contains("sweep.csv"));
  CHECK_THAT(r.err, Catch::Contains("No space left on device"));
  CHECK(slurp_file((after / "sweep.csv").string()) == "earlier sweep");
  CHECK(temporaries(after).empty());
}

TEST_CASE("Write faults: mhsim sweep --per-replication on a full disk leaves it and the CSV as they were",
          "[cli][write-faults]") {
  REQUIRE_MOUNT_OR_SKIP();
  const fs::path dir = scratch("sweep_h5"), results = dir / "run.h5", disk = dir / "disk", after = dir / "after";
  {
    const auto r = run_process({kBin, "run", kPathway, "--reps", "4", "--threads", "1", "-q", "--out", results.string()});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
  }
  fs::create_directories(after);
  put(dir / "sweep.csv", "earlier sweep");
  // The CSV's folder has room; the per-replication file's disk has none left.
  const std::string script = mount_tmpfs(disk, 64) + "printf 'earlier file' > '" + (disk / "sweep.h5").string() + "'\n" +
                             fill(disk, 0) +
                             command_line({kBin, "sweep", kPathway, "--results", results.string(), "--set",
                                           "arms.alliance.contracts.alliance.share=0.1:0.9:0.1", "--out",
                                           (dir / "sweep.csv").string(), "--per-replication", (disk / "sweep.h5").string()}) +
                             "\necho \"exit=$?\"\nrm -f '" + (disk / "fill").string() + "'\ncp -a '" + disk.string() +
                             "/.' '" + after.string() + "/'\n";
  const ProcessResult r = in_namespace(script);
  INFO(r.err);
  CHECK_THAT(r.out, Catch::Contains("exit=1\n"));
  CHECK_THAT(r.err, Catch::Contains("sweep.h5"));
  CHECK_THAT(r.err, Catch::Contains("No space left on device"));
  CHECK(slurp_file((after / "sweep.h5").string()) == "earlier file");
  CHECK(slurp_file((dir / "sweep.csv").string()) == "earlier sweep");
  CHECK(temporaries(after).empty());
  CHECK(temporaries(dir).empty());
}

TEST_CASE("Write faults: mhsim design --html on a full disk leaves the page, the JSON and the CSV as they were",
          "[cli][write-faults][design]") {
  REQUIRE_MOUNT_OR_SKIP();
  const std::string assets = kSrc + "/report";
  if (!fs::exists(assets + "/node_modules/vega/build/vega.min.js")) {
    WARN("skipped: the report's libraries are not installed (npm ci --prefix report)");
    return;
  }
  const fs::path dir = scratch("design"), results = dir / "run.h5", disk = dir / "disk", after = dir / "after";
  {
    const auto r = run_process({kBin, "run", kPathway, "--reps", "4", "--threads", "1", "-q", "--out", results.string()});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
  }
  fs::create_directories(after);
  put(dir / "design.csv", "earlier csv");
  put(dir / "design.json", "earlier json");
  // The CSV and the JSON have room and are made first; the page (over 1 MB) meets a full disk.
  const std::string script = mount_tmpfs(disk, 64) + "printf 'earlier page' > '" + (disk / "design.html").string() + "'\n" +
                             fill(disk, 0) +
                             command_line({kBin, "design", kPathway, "--results", results.string(), "--arm", "alliance",
                                           "--reserve", "trust=50000", "--set", "arms.alliance.contracts.alliance.share=0.3,0.7",
                                           "--out", (dir / "design.csv").string(), "--json", (dir / "design.json").string(),
                                           "--html", (disk / "design.html").string(), "--assets", assets}) +
                             "\necho \"exit=$?\"\nrm -f '" + (disk / "fill").string() + "'\ncp -a '" + disk.string() +
                             "/.' '" + after.string() + "/'\n";
  const ProcessResult r = in_namespace(script);
  INFO(r.err);
  CHECK_THAT(r.out, Catch::Contains("exit=1\n"));
  CHECK_THAT(r.err, Catch::Contains("design.html"));
  CHECK_THAT(r.err, Catch::Contains("No space left on device"));
  CHECK_THAT(r.err, Catch::Contains("nothing was written"));
  CHECK(slurp_file((after / "design.html").string()) == "earlier page");
  CHECK(slurp_file((dir / "design.csv").string()) == "earlier csv");
  CHECK(slurp_file((dir / "design.json").string()) == "earlier json");
  CHECK(temporaries(after).empty());
  CHECK(temporaries(dir).empty());
}

TEST_CASE("Write faults: temporaries left by a process killed in the final merge are removed, others left alone",
          "[cli][write-faults]") {
  REQUIRE_MOUNT_OR_SKIP();
  // The chunks of a finished run whose merge did not happen (the full disk above).
  const fs::path dir = scratch("killed");
  REQUIRE_THAT(run_meeting_a_full_disk(dir, 0).out, Catch::Contains("exit=1\n"));
  const fs::path after = dir / "after", out = after / "out.h5", partial = after / "out.h5.partial";
  REQUIRE(chunk_files(partial) == 2);
  // What SIGKILL during the merge leaves: an unreadable "<out>.tmp-<pid>" of a process that
  // is gone, a chunk being stored, a copy kept while replacing, and its lock file.
  const std::string dead = std::to_string(dead_pid());
  const std::string half_written = slurp_file(reference_run().string()).substr(0, 3000);
  put(out.string() + ".tmp-" + dead, half_written);
  put(out.string() + ".tmp-" + dead + ".old", "earlier results");
  put((partial / ("chunk-000000000001.h5.tmp-" + dead)).string(), half_written.substr(0, 100));
  put((partial / "lock").string(), dead + "\n");
  // Not stale: a live process's temporary, and another file's.
  const std::string live = std::to_string(::getpid());
  put(out.string() + ".tmp-" + live, "a live writer's file");
  put((after / ("other.h5.tmp-" + dead)).string(), "someone else's");

  const auto resumed = run_process(mm1(out, {"--resume"}));
  INFO(resumed.err);
  REQUIRE(resumed.exit_code == 0);
  CHECK(datasets_of(out.string()) == datasets_of(reference_run().string()));
  CHECK_FALSE(fs::exists(out.string() + ".tmp-" + dead));
  CHECK_FALSE(fs::exists(out.string() + ".tmp-" + dead + ".old"));
  CHECK_FALSE(fs::exists(partial));
  CHECK(slurp_file(out.string() + ".tmp-" + live) == "a live writer's file");
  CHECK(slurp_file((after / ("other.h5.tmp-" + dead)).string()) == "someone else's");

  // The next run or merge to the same file removes them too.
  put(out.string() + ".tmp-" + dead, half_written);
  REQUIRE(run_process(mm1(out)).exit_code == 0);
  CHECK_FALSE(fs::exists(out.string() + ".tmp-" + dead));
  put(out.string() + ".tmp-" + dead, half_written);
  const fs::path s0 = dir / "s0.h5", s1 = dir / "s1.h5";
  REQUIRE(run_process(mm1(s0, {"--shard", "0/2"})).exit_code == 0);
  REQUIRE(run_process(mm1(s1, {"--shard", "1/2"})).exit_code == 0);
  REQUIRE(run_process({kBin, "merge", s0.string(), s1.string(), "--out", out.string()}).exit_code == 0);
  CHECK_FALSE(fs::exists(out.string() + ".tmp-" + dead));
  CHECK(datasets_of(out.string()) == datasets_of(reference_run().string()));
}

TEST_CASE("Write faults: a shard with no replications is refused before any work", "[cli][write-faults]") {
  const fs::path dir = scratch("empty_shard"), out = dir / "shard.h5";
  // 2 replications make 2 chunks; shards 0 and 2 of 4 hold none.
  const auto r = run_process(mm1(out, {"--shard", "0/4"}));
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("--shard 0/4: this shard holds no replications"));
  CHECK_THAT(r.err, Catch::Contains("expected at most 2 shards"));
  CHECK(fs::is_empty(dir));  // no results, no <out>.partial, no temporary
  // ... so the next run is not blocked.
  const auto next = run_process(mm1(out, {"--shard", "1/4"}));
  INFO(next.err);
  CHECK(next.exit_code == 0);
  CHECK_FALSE(fs::exists(out.string() + ".partial"));
}

TEST_CASE("Write faults: one process at a time runs a checkpoint directory", "[cli][write-faults]") {
  const fs::path dir = scratch("concurrent"), out = dir / "out.h5", partial = dir / "out.h5.partial";

  SECTION("a lock held by a live process refuses --resume and changes nothing; a dead holder's lock does not") {
    // A run's checkpoint directory, held by a live process (this one) as a run holds it.
    fs::create_directories(partial);
    const int fd = ::open((partial / "lock").c_str(), O_RDWR | O_CREAT, 0644);
    REQUIRE(fd >= 0);
    REQUIRE(::flock(fd, LOCK_EX | LOCK_NB) == 0);
    const std::string me = std::to_string(::getpid()) + "\n";
    REQUIRE(::write(fd, me.data(), me.size()) == static_cast<ssize_t>(me.size()));
    const auto refused = run_process(mm1(out, {"--resume"}));
    CHECK(refused.exit_code == 2);
    CHECK_THAT(refused.err, Catch::Contains("another mhsim process (pid " + std::to_string(::getpid()) + ")"));
    CHECK_THAT(refused.err, Catch::Contains(partial.string()));
    CHECK_FALSE(fs::exists(out));
    CHECK(chunk_files(partial) == 0);
    // Without --resume it is refused the same way, not told to use --resume.
    const auto fresh = run_process(mm1(out));
    CHECK(fresh.exit_code == 2);
    CHECK_THAT(fresh.err, Catch::Contains("another mhsim process"));
    ::close(fd);  // the holder ends; its lock file stays, naming a process that is gone
    put(partial / "lock", std::to_string(dead_pid()) + "\n");
    const auto resumed = run_process(mm1(out, {"--resume"}));
    INFO(resumed.err);
    CHECK(resumed.exit_code == 0);
    CHECK(datasets_of(out.string()) == datasets_of(reference_run().string()));
    CHECK_FALSE(fs::exists(partial));
  }

  SECTION("two processes resuming one run: the second is refused, the first finishes") {
    // A run long enough to be caught while it runs.
    std::vector<std::string> args = {kBin, "run", kNetwork, "--reps", "40", "--threads", "1", "--seed", "9",
                                     "--out", out.string()};
    const std::string err_path = (dir / "first.err").string();
    const pid_t first = ::fork();
    if (first == 0) {
      if (!std::freopen("/dev/null", "w", stdout) || !std::freopen(err_path.c_str(), "w", stderr)) _exit(127);
      std::vector<char*> argv;
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      _exit(127);
    }
    // Wait until the first process has its first chunk (it holds the directory by then).
    for (int i = 0; i < 6000 && (!fs::exists(partial) || chunk_files(partial) == 0); ++i) ::usleep(10000);
    args.push_back("--resume");
    const auto second = run_process(args);
    int status = 0;
    ::waitpid(first, &status, 0);
    INFO("first: " << slurp_file(err_path));
    INFO("second: " << second.err);
    CHECK(second.exit_code == 2);
    CHECK_THAT(second.err, Catch::Contains("another mhsim process (pid " + std::to_string(first) + ")"));
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    CHECK_FALSE(fs::exists(partial));
    CHECK(mhsim::analysis::ResultsReader(out.string()).uint_attribute("replications") == 40);
    CHECK(temporaries(dir).empty());
  }
}
