// SPDX-License-Identifier: MIT
#pragma once
// Limits that stop absurd inputs early with a clear message instead of exhausting memory.
// Field descriptors use them as the ends of their ranges.

namespace mhsim::schema::limits {

inline constexpr double kMaxReplications = 1e7;
inline constexpr double kMaxHorizonDays = 365.0 * 1000.0;
inline constexpr double kMaxServers = 1e7;
inline constexpr double kMaxStations = 10000;
inline constexpr double kMaxInSystem = 1e8;
inline constexpr double kMaxSeed = 9007199254740991.0;  // 2^53 - 1: exact as a double, so ranges print exactly
// Pathway scenarios.
inline constexpr double kMaxPopulation = 1e9;
inline constexpr double kMaxYears = 100;
inline constexpr double kMaxServices = 1000;
inline constexpr double kMaxGroups = 100;
inline constexpr double kMaxArms = 100;
inline constexpr double kMaxInitialPeople = 1e7;  // the whole starting caseload
// Contracts.
inline constexpr double kMaxMoney = 1e12;         // pounds: any one amount
inline constexpr double kMaxLevel = 1e12;         // magnitude of a KPI level in a threshold
// Analysis and uncertainty.
inline constexpr double kMaxThresholds = 20;      // willingness-to-pay values
inline constexpr double kMaxUncertain = 1000;     // uncertain parameters
inline constexpr double kMaxParameter = 1e12;     // magnitude of a distribution parameter

}  // namespace mhsim::schema::limits
