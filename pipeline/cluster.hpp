// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

namespace mhsim::pipeline {

/// The processes of one run. A single process is a cluster of one; with MPI (pipeline/mpi.cpp,
/// built with -DMHSIM_WITH_MPI=ON) each rank is a member, rank 0 writes the files, and the
/// others send it their finished chunks as HDF5 file images.
class Cluster {
 public:
  virtual ~Cluster() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  /// Rank 0's list of chunks already on disk (resume), given to every rank.
  virtual std::vector<std::uint64_t> share_done_chunks(std::vector<std::uint64_t> done) = 0;
  /// Rank > 0: hands a finished chunk to rank 0.
  virtual void send_chunk(std::uint64_t chunk, const std::vector<unsigned char>& image) = 0;
  /// Rank 0: a chunk another rank finished, if one has arrived (never blocks).
  virtual bool poll_chunk(std::uint64_t& chunk, std::vector<unsigned char>& image) = 0;
  /// Rank 0: waits for the next chunk from another rank.
  virtual void receive_chunk(std::uint64_t& chunk, std::vector<unsigned char>& image) = 0;
  /// Stops every rank after a failure on one of them (never returns).
  [[noreturn]] virtual void abort_all(int code) = 0;
};

/// This process alone.
std::unique_ptr<Cluster> single_process();
/// MPI_COMM_WORLD when built with MPI and started by mpirun with more than one rank;
/// otherwise single_process(). Call once, early in main.
std::unique_ptr<Cluster> join_cluster(int& argc, char**& argv);

}  // namespace mhsim::pipeline
