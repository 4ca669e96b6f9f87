// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace mhsim::schema {

/// One problem with an input, in the form
///   file:line:col: key.path: expected <what was expected>, got <what was found>
/// line and column are 1-based; 0 means "no position" (e.g. a command-line option).
struct Diagnostic {
  std::string file;
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  std::string key;
  std::string expected;
  std::string got;

  std::string to_string() const;
};

/// A number as it should appear in a message: integers exactly ("10000000"), others with
/// up to 15 significant digits ("0.1", "1e+20").
std::string number_text(double x);

/// Thrown when an input has one or more problems; carries all of them, in file order.
class ScenarioError : public std::runtime_error {
 public:
  explicit ScenarioError(std::vector<Diagnostic> diagnostics);
  const std::vector<Diagnostic>& diagnostics() const noexcept { return diagnostics_; }

 private:
  std::vector<Diagnostic> diagnostics_;
};

/// Collects diagnostics while a file is read, so that every error is reported at once.
class Diagnostics {
 public:
  void add(Diagnostic d) { items_.push_back(std::move(d)); }
  bool empty() const noexcept { return items_.empty(); }
  std::size_t size() const noexcept { return items_.size(); }
  const std::vector<Diagnostic>& items() const noexcept { return items_; }
  /// Sorts by position (stable) and throws ScenarioError if there is anything to report.
  void throw_if_any();

 private:
  std::vector<Diagnostic> items_;
};

}  // namespace mhsim::schema
