// SPDX-License-Identifier: MIT
#pragma once
// Docs walks the field descriptors over a default-constructed root and writes one row per
// key (its path with <name> placeholders, type, unit, range, default and doc): a file
// format's key reference, and the range text of a command's help.

#include <array>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "models/schema/distributions.hpp"
#include "models/schema/traits.hpp"
#include "models/schema/schema.hpp"

namespace mhsim::schema {

/// One documented key. `<name>` in a path stands for a user-chosen name; `<service>` and the
/// like for the name of an entry of that collection.
struct KeyDoc {
  std::string path;
  std::string type;         ///< "number", "integer", "table of probabilities" ...
  std::string unit;
  std::string range;        ///< "[0, 1]", "one of ...", "" when none
  bool required = false;
  std::string default_text; ///< the default as documented ("" when required)
  std::string doc;
  std::vector<std::string> choices;
  std::string expected;     ///< what messages say the key must hold
  Vary vary = Vary::kModel;

  const std::string& expectation() const noexcept { return expected; }
};

/// The rows being written, and the docs of keys that several alternatives of a variant share.
struct DocRows {
  std::vector<KeyDoc> rows;
  /// path -> (alternative, doc, default) for keys declared by alternatives of a variant
  std::map<std::string, std::vector<std::array<std::string, 3>>, std::less<>> shared;
};

class Docs {
 public:
  static constexpr bool kEveryKey = true;

  explicit Docs(DocRows& rows, std::string path = {}, std::string alternative = {})
      : rows_(rows), path_(std::move(path)), alternative_(std::move(alternative)) {}

  template <class T>
  void operator()(const Field<T>& f) {
    add(f.info);
    if (f.info.kind == Kind::kMap && !f.info.or_number) {
      Info entry = f.info;
      entry.kind = Kind::kNumber;
      entry.name = {};
      entry.doc = f.info.entry_doc;
      Docs(rows_, child(f.info.name), alternative_).add(entry, placeholder_of(f.info));
    }
  }

  template <class T, class Body>
  void operator()(const Field<T>& f, Body&& body) {
    if constexpr (is_variant<T>::value) {
      Info tag = f.info;
      tag.kind = Kind::kChoice;
      add(tag);
      for (std::size_t i = 0; i < f.info.choice_count; ++i) {
        Docs sub(rows_, path_, std::string(f.info.choice(i)));
        emplace_alternative(*f.value, i, [&](auto& alt) { body(sub, alt); });
      }
    } else {
      add(f.info);
      container(f, body);
    }
  }

  template <class T, class Body>
  void container(const Field<T>& f, Body& body) {
    const std::string path = child(f.info.name);
    if constexpr (entry_of_array<Body, Docs, T>::value) {
      if (f.value->empty()) f.value->resize(1);
      Docs sub(rows_, f.info.kind == Kind::kNamedTables ? path + ".<name>" : path, alternative_);
      if (f.info.inherits) {
        Info extends;
        extends.name = "extends";
        extends.kind = Kind::kText;
        extends.otherwise = "none";
        extends.doc = "Another entry this one starts from: every key it does not write is the other's (tables merge "
                      "key by key; arrays and single values are replaced).";
        sub.add(extends);
      }
      body(sub, f.value->front(), 0);
    } else if constexpr (entry_of_map<Body, Docs, T>::value) {
      if (f.value->empty()) f.value->resize(1);
      Docs sub(rows_, path, alternative_);
      body(sub, f.value->front(), placeholder_of(f.info));
    } else {
      Docs sub(rows_, path, alternative_);
      if constexpr (std::is_same_v<T, Unit>) {
        body(sub);
      } else {
        body(sub, filled(*f.value));
      }
    }
  }

  template <class C>
  void check(C&&) {}

  /// One row for a key of this table.
  void add(const Info& info, std::string_view name = {});

 private:
  std::string child(std::string_view leaf) const { return path_.empty() ? std::string(leaf) : path_ + "." + std::string(leaf); }
  static std::string placeholder_of(const Info& info) {
    return info.collection.empty() ? "<" + std::string(info.noun.substr(info.noun.rfind(' ') + 1)) + ">"
                                   : placeholder(info.collection);
  }

  DocRows& rows_;
  std::string path_;
  std::string alternative_;  ///< within a variant: the alternative ("block")
};

/// Gives the keys several alternatives of a variant declare one doc ("Block, activity: ...")
/// and one default; call once every root has been walked.
void merge_shared(DocRows& rows);

}  // namespace mhsim::schema
