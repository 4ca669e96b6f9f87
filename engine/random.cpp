// SPDX-License-Identifier: MIT
#include "engine/random.hpp"

#include <boost/random/seed_seq.hpp>

namespace mhsim::engine {

namespace {
std::uint32_t lo(std::uint64_t x) noexcept { return static_cast<std::uint32_t>(x & 0xffffffffULL); }
std::uint32_t hi(std::uint64_t x) noexcept { return static_cast<std::uint32_t>(x >> 32); }
}  // namespace

Rng RandomStreams::stream(StreamId id) const {
  boost::random::seed_seq seq{lo(seed_), hi(seed_), lo(replication_), hi(replication_),
                              lo(id.value), hi(id.value)};
  return Rng(seq);
}

}  // namespace mhsim::engine
