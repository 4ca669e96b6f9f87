// SPDX-License-Identifier: MIT
#pragma once
// The key reference: one row per key a scenario file may hold, generated from the field
// descriptors (models/schema) that the loaders read by, so the reference cannot drift from
// what is read. scenarios/KEYS.md and `mhsim keys` print it.

#include <string>
#include <string_view>
#include <vector>

#include "models/schema/limits.hpp"
#include "models/schema/docs.hpp"

namespace mhsim::scenario {

namespace limits = schema::limits;

/// Which scenario model a key belongs to (`model = "network"` or `"pathway"` at the root).
enum class KeyModel { kBoth, kNetwork, kPathway };

/// One documented key, and which model's files may hold it.
struct KeySpec : schema::KeyDoc {
  KeyModel model = KeyModel::kBoth;
  bool applies_to(KeyModel m) const noexcept { return model == KeyModel::kBoth || model == m; }
};

/// Every key, in the order the reference lists it.
const std::vector<KeySpec>& all_keys();
/// The keys a queueing-network scenario may hold.
const std::vector<KeySpec>& network_keys();
/// The keys a pathway scenario may hold.
const std::vector<KeySpec>& pathway_keys();
/// The rows of each model's keys (their loaders walk their own root with schema::Docs).
void document_network(schema::DocRows& rows);
void document_pathway(schema::DocRows& rows);
/// A key by its path; throws std::logic_error when no key has it.
const KeySpec& key(std::string_view path);
/// The content of scenarios/KEYS.md.
std::string keys_markdown();

}  // namespace mhsim::scenario
