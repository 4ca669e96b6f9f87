// SPDX-License-Identifier: MIT
// analysis/sha256.cpp (OpenSSL's EVP SHA-256): digests of data that is bytes, not text, and of
// the lengths where the padding changes. FIPS 180-4's own vectors ("", "abc", the 448-bit
// message, a million 'a') are in results_file_test.cpp.
#include <catch2/catch.hpp>

#include <string>

#include "analysis/sha256.hpp"

using mhsim::analysis::sha256_hex;

TEST_CASE("sha256: NIST byte vectors, and the lengths where the padding needs a second block", "[analysis]") {
  // NIST CAVP SHA256ShortMsg.rsp, Len = 8, Msg = d3: a byte above 0x7f.
  CHECK(sha256_hex(std::string("\xd3", 1)) == "28969cdfa74a12c82f3bad960b0b000aca2ac329deea5c2328ebc6f2ba9802c1");
  // NIST's "abc" and the empty message (FIPS 180-4 examples).
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex(std::string()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  // An embedded NUL is data, not the end of the string (coreutils: printf 'a\0b\xff' | sha256sum).
  CHECK(sha256_hex(std::string("a\0b\xff", 4)) == "a37cc3026aae4d519e0b19c298fa913b4dccfdf0658cbccbb7deaa0226d5acdb");
  // 55 bytes fit the padding in one block, 56 need a second, 64 fill one exactly
  // (coreutils: head -c N /dev/zero | tr '\0' a | sha256sum).
  CHECK(sha256_hex(std::string(55, 'a')) == "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
  CHECK(sha256_hex(std::string(56, 'a')) == "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
  CHECK(sha256_hex(std::string(64, 'a')) == "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
}
