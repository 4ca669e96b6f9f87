// SPDX-License-Identifier: MIT
#pragma once
// Internal to mhsim::scenario: what every visitor of field descriptors shares: the words a
// message uses for a key, and small type traits over the values fields hold.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "models/schema/schema.hpp"

namespace mhsim::schema {

/// What a key must hold, for messages: "an integer in [1, 10000000]", "one of \"a\", \"b\"" ...
std::string expectation(const Info& info);
/// "a number in [min, max]" (or "(0, max]" for a positive number).
std::string range_phrase(const Info& info);
/// The placeholder for one entry of a collection in documented paths: "<service>".
std::string placeholder(std::string_view collection);
/// The names a field takes from its `choices`.
std::vector<std::string> choice_names(const Info& info);

template <class T> struct is_optional : std::false_type {};
template <class T> struct is_optional<std::optional<T>> : std::true_type {};
template <class T> struct is_array : std::false_type {};
template <class T, std::size_t N> struct is_array<std::array<T, N>> : std::true_type {};
template <class T> struct is_vector : std::false_type {};
template <class T, class A> struct is_vector<std::vector<T, A>> : std::true_type {};

template <class T> struct is_variant : std::false_type {};
template <class... A> struct is_variant<std::variant<A...>> : std::true_type {};

/// The shape of a container field's body: a table's (visitor[, value]), an entry of named
/// tables or of an array of tables (visitor, element, index), or an entry of a map
/// (visitor, element, name).
template <class Body, class V, class T, class = void> struct entry_of_array : std::false_type {};
template <class Body, class V, class T>
struct entry_of_array<Body, V, T, std::enable_if_t<is_vector<T>::value>>
    : std::is_invocable<Body&, V&, typename T::value_type&, std::size_t> {};
template <class Body, class V, class T, class = void> struct entry_of_map : std::false_type {};
template <class Body, class V, class T>
struct entry_of_map<Body, V, T, std::enable_if_t<is_vector<T>::value>>
    : std::is_invocable<Body&, V&, typename T::value_type&, std::string_view> {};

template <class T, class = void> struct has_name_member : std::false_type {};
template <class T>
struct has_name_member<T, std::void_t<decltype(std::declval<const T&>().name)>> : std::true_type {};

/// Arrays of numbers (std::vector or std::array of double).
template <class T> struct is_numbers : std::false_type {};
template <> struct is_numbers<std::vector<double>> : std::true_type {};
template <std::size_t N> struct is_numbers<std::array<double, N>> : std::true_type {};

/// Routes: containers of elements with a target and a probability.
template <class T, class = void> struct is_routes : std::false_type {};
template <class T>
struct is_routes<T, std::void_t<decltype(std::declval<const T&>().front().probability)>> : std::true_type {};

/// Types with values() (a by-year parameter).
template <class T, class = void> struct has_values : std::false_type {};
template <class T>
struct has_values<T, std::void_t<decltype(std::declval<const T&>().values())>> : std::true_type {};

/// The value an optional holds (emplaced when empty), or the value itself.
template <class T>
auto& filled(T& v) {
  if constexpr (is_optional<T>::value) {
    if (!v) v.emplace();
    return *v;
  } else {
    return v;
  }
}

/// Calls f(alternative) on a default-constructed alternative `index` of variant `v`.
template <class Variant, class F, std::size_t... I>
void emplace_alternative(Variant& v, std::size_t index, F&& f, std::index_sequence<I...>) {
  ((index == I ? (void)f(v.template emplace<I>()) : void()), ...);
}
template <class Variant, class F>
void emplace_alternative(Variant& v, std::size_t index, F&& f) {
  emplace_alternative(v, index, f, std::make_index_sequence<std::variant_size_v<Variant>>{});
}

}  // namespace mhsim::schema
