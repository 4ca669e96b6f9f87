// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string_view>

#include <boost/random/mersenne_twister.hpp>

namespace mhsim::engine {

/// The one random-number engine: 64-bit Mersenne Twister from Boost.Random, whose output
/// sequence is fixed by its specification (the 10,000th draw of a default-seeded engine is
/// 9981545732273789042 on every platform; tests/engine/random_test.cpp checks it).
using Rng = boost::random::mt19937_64;

/// Identifies what a stream is for. Derived from a name so that adding a stream never
/// shifts another one (unlike numbering streams in creation order).
struct StreamId {
  std::uint64_t value;

  /// FNV-1a 64-bit hash of the purpose name: stable across platforms and compilers.
  static constexpr StreamId named(std::string_view purpose) noexcept {
    std::uint64_t h = 14695981039346656037ULL;
    for (const char c : purpose) {
      h ^= static_cast<std::uint8_t>(c);
      h *= 1099511628211ULL;
    }
    return StreamId{h};
  }
};

/// A small generator for the many per-entity streams a model needs (one person can make a
/// dozen random decisions, and a replication has tens of thousands of people): SplitMix64
/// (Steele, Lea & Flood 2014, the generator Java's SplittableRandom uses), whose 64-bit
/// state is a Weyl sequence passed through a bijective mixer. Eight bytes, no seeding cost,
/// statistically sound for streams of this length (it passes BigCrush). It satisfies the
/// UniformRandomBitGenerator requirements, so Boost.Random distributions draw from it.
class EntityRng {
 public:
  using result_type = std::uint64_t;
  explicit constexpr EntityRng(std::uint64_t key) noexcept : state_(key) {}
  static constexpr result_type min() noexcept { return 0; }
  static constexpr result_type max() noexcept { return ~result_type{0}; }
  constexpr result_type operator()() noexcept {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

 private:
  std::uint64_t state_;
};

/// Random streams of one replication. stream(id) returns an engine seeded from the words
/// (seed, replication, purpose) through boost::random::seed_seq, so:
///  - a replication's numbers depend only on (seed, replication), never on the thread,
///    process or order that ran it;
///  - (seed 1, replication 0) and (seed 0, replication 1) are unrelated streams (each word
///    enters the seed sequence separately, unlike `seed + replication` schemes);
///  - streams with different purposes are unrelated, and the same purpose gives the same
///    stream in every arm of a comparison (common random numbers).
class RandomStreams {
 public:
  RandomStreams(std::uint64_t seed, std::uint64_t replication) noexcept
      : seed_(seed), replication_(replication) {}

  Rng stream(StreamId id) const;
  Rng stream(std::string_view purpose) const { return stream(StreamId::named(purpose)); }

  /// The stream of one entity (a person) for one purpose. It depends on (seed, replication,
  /// purpose, entity) only, so the same person makes the same draw for the same decision in
  /// every arm of a comparison (common random numbers), whatever else happened before.
  /// The four words are combined by rounds of the SplitMix64 finaliser, which is bijective
  /// in each word, so distinct entities give distinct starting states.
  EntityRng entity(StreamId purpose, std::uint64_t entity) const noexcept;
  EntityRng entity(std::string_view purpose, std::uint64_t entity) const noexcept {
    return this->entity(StreamId::named(purpose), entity);
  }

  std::uint64_t seed() const noexcept { return seed_; }
  std::uint64_t replication() const noexcept { return replication_; }

 private:
  std::uint64_t seed_;
  std::uint64_t replication_;
};

/// The version of the random-number scheme: the engines, how streams are allocated and seeded,
/// and the algorithm of every sampler. Results reproduce bit for bit from (scenario, seed)
/// within one version; a change to any of these changes results and must raise it. Written
/// into every results file (root attribute `rng_scheme`), and a run resumed from chunks of
/// another version is refused.
///  1: (until 2026-12-07) gamma and beta draws by boost::random::gamma_distribution.
///  2: gamma draws (and the beta, Erlang, Weibull and length-biased draws built on them) by
///     Marsaglia and Tsang's method on Boost.Random's normal and uniform (engine/gamma.hpp).
inline constexpr unsigned kRngScheme = 2;

/// One sentence for provenance records (written into every results file).
inline constexpr std::string_view kStreamAllocationDescription =
    "boost::random::mt19937_64 per stream, seeded by boost::random::seed_seq over the 32-bit "
    "words {seed_lo, seed_hi, replication_lo, replication_hi, purpose_lo, purpose_hi}, where "
    "purpose is the FNV-1a 64-bit hash of the stream's name; per-entity streams are SplitMix64 "
    "keyed by SplitMix64-finaliser rounds over (seed, replication, purpose, entity); "
    "distributions from Boost.Random 1.74, but gamma (and beta = X / (X + Y) of two gammas) "
    "by Marsaglia and Tsang (2000) on Boost.Random's unit normal and uniform_01 (RNG scheme 2)";

}  // namespace mhsim::engine
