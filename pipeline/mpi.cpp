// SPDX-License-Identifier: MIT
// The MPI cluster: compiled only with -DMHSIM_WITH_MPI=ON. Rank 0 writes every file; other
// ranks send it their finished chunks as HDF5 file images. MPI is called from one thread at
// a time (the main thread, or the runner's serial writer stage), so MPI_THREAD_SERIALIZED.
// The C API only: Open MPI and MPICH otherwise pull in their removed C++ bindings.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>

#include <cstdio>
#include <cstdlib>
#include <limits>
#include <stdexcept>

#include "pipeline/cluster.hpp"

namespace mhsim::pipeline {

namespace {

constexpr int kTagHeader = 1;
constexpr int kTagImage = 2;

class MpiCluster final : public Cluster {
 public:
  MpiCluster() {
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
  }
  ~MpiCluster() override { MPI_Finalize(); }

  int rank() const override { return rank_; }
  int size() const override { return size_; }

  std::vector<std::uint64_t> share_done_chunks(std::vector<std::uint64_t> done) override {
    std::uint64_t n = done.size();
    MPI_Bcast(&n, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    done.resize(static_cast<std::size_t>(n));
    if (n > 0) MPI_Bcast(done.data(), static_cast<int>(n), MPI_UINT64_T, 0, MPI_COMM_WORLD);
    return done;
  }

  void send_chunk(std::uint64_t chunk, const std::vector<unsigned char>& image) override {
    if (image.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
      throw std::runtime_error("a checkpoint chunk is over 2 GiB: use fewer replications per chunk");
    }
    std::uint64_t header[2] = {chunk, image.size()};
    MPI_Send(header, 2, MPI_UINT64_T, 0, kTagHeader, MPI_COMM_WORLD);
    MPI_Send(image.data(), static_cast<int>(image.size()), MPI_UNSIGNED_CHAR, 0, kTagImage, MPI_COMM_WORLD);
  }

  bool poll_chunk(std::uint64_t& chunk, std::vector<unsigned char>& image) override {
    int flag = 0;
    MPI_Status status;
    MPI_Iprobe(MPI_ANY_SOURCE, kTagHeader, MPI_COMM_WORLD, &flag, &status);
    if (!flag) return false;
    receive_from(status.MPI_SOURCE, chunk, image);
    return true;
  }

  void receive_chunk(std::uint64_t& chunk, std::vector<unsigned char>& image) override {
    MPI_Status status;
    MPI_Probe(MPI_ANY_SOURCE, kTagHeader, MPI_COMM_WORLD, &status);
    receive_from(status.MPI_SOURCE, chunk, image);
  }

  [[noreturn]] void abort_all(int code) override {
    MPI_Abort(MPI_COMM_WORLD, code);
    std::exit(code);
  }

 private:
  static void receive_from(int source, std::uint64_t& chunk, std::vector<unsigned char>& image) {
    std::uint64_t header[2];
    MPI_Recv(header, 2, MPI_UINT64_T, source, kTagHeader, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    chunk = header[0];
    image.resize(static_cast<std::size_t>(header[1]));
    MPI_Recv(image.data(), static_cast<int>(header[1]), MPI_UNSIGNED_CHAR, source, kTagImage, MPI_COMM_WORLD,
             MPI_STATUS_IGNORE);
  }

  int rank_ = 0;
  int size_ = 1;
};

// Started by an MPI launcher? (Open MPI, MPICH/Hydra and PMIx set these.) A plain run of an
// MPI build stays a single process and needs no MPI runtime.
bool under_launcher() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"}) {
    if (std::getenv(v) != nullptr) return true;
  }
  return false;
}

}  // namespace

std::unique_ptr<Cluster> join_cluster(int& argc, char**& argv) {
  if (!under_launcher()) return single_process();
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_SERIALIZED, &provided);
  if (provided < MPI_THREAD_SERIALIZED) {
    std::fprintf(stderr, "mhsim: the MPI library does not support MPI_THREAD_SERIALIZED\n");
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  return std::make_unique<MpiCluster>();
}

}  // namespace mhsim::pipeline
