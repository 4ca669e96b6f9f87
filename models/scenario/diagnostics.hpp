// SPDX-License-Identifier: MIT
#pragma once
// Diagnostics are the schema library's (models/schema/diagnostics.hpp); the scenario API names
// them as its own.

#include "models/schema/diagnostics.hpp"

namespace mhsim::scenario {

using schema::Diagnostic;
using schema::Diagnostics;
using schema::number_text;
using schema::ScenarioError;

}  // namespace mhsim::scenario
