// SPDX-License-Identifier: MIT
#pragma once

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>

namespace mhsim::engine {

/// Contiguous replications [first, first + count).
struct Block {
  std::uint64_t first = 0;
  std::uint64_t count = 0;
  std::uint64_t end() const noexcept { return first + count; }
};

/// How a run's replications are cut into checkpoint chunks and shared among shards (array
/// jobs, MPI ranks). A function of (replications, chunk size) only, so every process and
/// every resumed run agrees on it. Shards get whole, contiguous runs of chunks.
class WorkPlan {
 public:
  /// `chunk_size` 0 chooses default_chunk_size(replications).
  WorkPlan(std::uint64_t replications, std::uint64_t chunk_size = 0)
      : replications_(replications), chunk_size_(chunk_size ? chunk_size : default_chunk_size(replications)) {
    if (replications_ == 0) throw std::invalid_argument("WorkPlan: a run needs at least one replication");
  }

  /// About 50 chunks a run (so an interruption loses at most ~2% of it), 1 to 1000 each.
  static std::uint64_t default_chunk_size(std::uint64_t replications) {
    return std::clamp<std::uint64_t>((replications + 49) / 50, 1, 1000);
  }

  std::uint64_t replications() const noexcept { return replications_; }
  std::uint64_t chunk_size() const noexcept { return chunk_size_; }
  std::uint64_t chunks() const noexcept { return (replications_ + chunk_size_ - 1) / chunk_size_; }
  std::uint64_t chunk_of(std::uint64_t replication) const noexcept { return replication / chunk_size_; }
  Block chunk(std::uint64_t k) const noexcept {
    const std::uint64_t first = k * chunk_size_;
    return Block{first, std::min(chunk_size_, replications_ - first)};
  }

  /// Chunks [begin, end) of shard `index` of `count`: as equal as whole chunks allow.
  std::pair<std::uint64_t, std::uint64_t> shard_chunks(std::uint64_t index, std::uint64_t count) const {
    if (count == 0 || index >= count) {
      throw std::invalid_argument("shard " + std::to_string(index) + "/" + std::to_string(count) +
                                  ": expected 0 <= index < count");
    }
    return {chunks() * index / count, chunks() * (index + 1) / count};
  }
  /// Replications of shard `index` of `count` (empty if it has no chunks).
  Block shard_block(std::uint64_t index, std::uint64_t count) const {
    const auto [b, e] = shard_chunks(index, count);
    if (b == e) return Block{chunk(b < chunks() ? b : chunks() - 1).end(), 0};
    return Block{chunk(b).first, chunk(e - 1).end() - chunk(b).first};
  }

 private:
  std::uint64_t replications_;
  std::uint64_t chunk_size_;
};

}  // namespace mhsim::engine
