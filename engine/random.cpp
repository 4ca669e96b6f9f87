// SPDX-License-Identifier: MIT
#include "engine/random.hpp"

#include <boost/random/seed_seq.hpp>

namespace mhsim::engine {

namespace {
std::uint32_t lo(std::uint64_t x) noexcept { return static_cast<std::uint32_t>(x & 0xffffffffULL); }
std::uint32_t hi(std::uint64_t x) noexcept { return static_cast<std::uint32_t>(x >> 32); }
// The SplitMix64 finaliser: a bijection on 64-bit words with full avalanche.
constexpr std::uint64_t mix(std::uint64_t z) noexcept {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

EntityRng RandomStreams::entity(StreamId purpose, std::uint64_t entity) const noexcept {
  // Fold the words in one at a time; for fixed (seed, replication, purpose) the map from
  // entity to key is a bijection, so two people never share a stream.
  std::uint64_t key = mix(seed_ ^ 0x6a09e667f3bcc908ULL);
  key = mix(key ^ replication_);
  key = mix(key ^ purpose.value);
  key = mix(key ^ entity);
  return EntityRng(key);
}

Rng RandomStreams::stream(StreamId id) const {
  boost::random::seed_seq seq{lo(seed_), hi(seed_), lo(replication_), hi(replication_),
                              lo(id.value), hi(id.value)};
  return Rng(seq);
}

}  // namespace mhsim::engine
