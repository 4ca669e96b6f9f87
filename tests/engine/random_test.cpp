// SPDX-License-Identifier: MIT
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "engine/random.hpp"

using mhsim::engine::RandomStreams;
using mhsim::engine::Rng;
using mhsim::engine::StreamId;

namespace {
std::vector<std::uint64_t> first(Rng rng, int n = 8) {
  std::vector<std::uint64_t> v;
  for (int i = 0; i < n; ++i) v.push_back(rng());
  return v;
}
}  // namespace

TEST_CASE("Random: the engine matches the C++ standard's mt19937_64 reference value", "[engine][reproducibility]") {
  // ISO C++ [rand.predef]: "the 10000th consecutive invocation of a default-constructed object
  // of type mt19937_64 shall produce the value 9981545732273789042". An independent reference:
  // Boost's engine must agree with the standard's specification.
  Rng rng;
  for (int i = 1; i < 10000; ++i) rng();
  CHECK(rng() == 9981545732273789042ULL);
}

TEST_CASE("Random: stream names hash with FNV-1a 64", "[engine][reproducibility]") {
  // Published FNV-1a 64 values: the offset basis for "", and 0xaf63dc4c8601ec8c for "a".
  CHECK(StreamId::named("").value == 14695981039346656037ULL);
  CHECK(StreamId::named("a").value == 0xaf63dc4c8601ec8cULL);
  static_assert(StreamId::named("a").value == 0xaf63dc4c8601ec8cULL, "computed at compile time too");
}

TEST_CASE("Random: a stream depends on seed, replication and purpose, and on nothing else", "[engine][reproducibility]") {
  const auto base = first(RandomStreams{7, 3}.stream("arrivals"));
  CHECK(first(RandomStreams{7, 3}.stream("arrivals")) == base);  // same words, same stream
  CHECK(first(RandomStreams{7, 3}.stream(StreamId::named("arrivals"))) == base);
  CHECK(first(RandomStreams{7, 3}.stream("service")) != base);
  CHECK(first(RandomStreams{7, 4}.stream("arrivals")) != base);
  CHECK(first(RandomStreams{8, 3}.stream("arrivals")) != base);
}

TEST_CASE("Random: seed and replication never alias (the seed + chain collision)", "[engine][reproducibility]") {
  // Schemes that seed with seed + replication make (1, 0) == (0, 1) and (1, 1) == (2, 0);
  // each word enters the seed sequence separately here.
  CHECK(first(RandomStreams{1, 0}.stream("x")) != first(RandomStreams{0, 1}.stream("x")));
  CHECK(first(RandomStreams{1, 1}.stream("x")) != first(RandomStreams{2, 0}.stream("x")));
  // High and low 32-bit halves are separate words too.
  CHECK(first(RandomStreams{1ULL << 32, 0}.stream("x")) != first(RandomStreams{1, 0}.stream("x")));
  CHECK(first(RandomStreams{0, 1ULL << 32}.stream("x")) != first(RandomStreams{0, 1}.stream("x")));
}

TEST_CASE("Random: fingerprint of a derived stream (change detector)", "[engine][reproducibility]") {
  // NOT a correctness proof: these values were recorded from this implementation on
  // 2026-11-23 (Boost 1.74, seed_seq over {seed, replication, FNV-1a(purpose)} words).
  // If this fails, every published result changes: bump the results schema and say so.
  Rng rng = RandomStreams{20261123, 0}.stream("station/x/arrivals");
  CHECK(rng() == 14134522539360207943ULL);
  CHECK(rng() == 6022872474899766480ULL);
  CHECK(rng() == 13950596912378869713ULL);
}

TEST_CASE("Random: EntityRng is SplitMix64 (published reference outputs)", "[engine][reproducibility]") {
  // Reference: the SplitMix64 algorithm (Vigna's splitmix64.c) seeded with 1234567 gives
  // 6457827717110365317, 3203168211198807973, 9817491932198370423: the commonly quoted test
  // vector, re-checked with an independent Python implementation on 2026-11-23.
  mhsim::engine::EntityRng rng(1234567);
  CHECK(rng() == 6457827717110365317ULL);
  CHECK(rng() == 3203168211198807973ULL);
  CHECK(rng() == 9817491932198370423ULL);
}

TEST_CASE("Random: entity streams depend on seed, replication, purpose and entity only", "[engine][reproducibility]") {
  auto draws = [](mhsim::engine::EntityRng rng) {
    std::vector<std::uint64_t> v;
    for (int i = 0; i < 4; ++i) v.push_back(rng());
    return v;
  };
  const RandomStreams s{11, 2};
  const auto base = draws(s.entity("front_door/divert", 42));
  CHECK(draws(RandomStreams{11, 2}.entity("front_door/divert", 42)) == base);  // another arm, same person
  CHECK(draws(s.entity("front_door/divert", 43)) != base);
  CHECK(draws(s.entity("relapse", 42)) != base);
  CHECK(draws(RandomStreams{11, 3}.entity("front_door/divert", 42)) != base);
  CHECK(draws(RandomStreams{12, 2}.entity("front_door/divert", 42)) != base);
  // The same pairs that collide under seed + index schemes stay apart.
  CHECK(draws(RandomStreams{1, 0}.entity("x", 1)) != draws(RandomStreams{0, 1}.entity("x", 1)));
  CHECK(draws(RandomStreams{0, 0}.entity("x", 1)) != draws(RandomStreams{0, 1}.entity("x", 0)));
}
