// SPDX-License-Identifier: MIT
#include "pipeline/cluster.hpp"

#include <cstdlib>
#include <stdexcept>

namespace mhsim::pipeline {

namespace {
class SingleProcess final : public Cluster {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  std::vector<std::uint64_t> share_done_chunks(std::vector<std::uint64_t> done) override { return done; }
  void send_chunk(std::uint64_t, const std::vector<unsigned char>&) override {
    throw std::logic_error("send_chunk on a single process");
  }
  bool poll_chunk(std::uint64_t&, std::vector<unsigned char>&) override { return false; }
  void receive_chunk(std::uint64_t&, std::vector<unsigned char>&) override {
    throw std::logic_error("receive_chunk on a single process");
  }
  [[noreturn]] void abort_all(int code) override { std::exit(code); }
};
}  // namespace

std::unique_ptr<Cluster> single_process() { return std::make_unique<SingleProcess>(); }

#ifndef MHSIM_WITH_MPI
std::unique_ptr<Cluster> join_cluster(int&, char**&) { return single_process(); }
#endif

}  // namespace mhsim::pipeline
