// SPDX-License-Identifier: MIT
#include "analysis/sha256.hpp"

#include <memory>
#include <stdexcept>

#include <openssl/evp.h>

namespace mhsim::analysis {

std::string sha256_hex(std::string_view data) {
  // OpenSSL's EVP interface (libcrypto from Debian's libssl-dev), not a hand-written digest.
  const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), digest, &length) != 1 || length != 32) {
    throw std::runtime_error("SHA-256: OpenSSL's EVP digest failed");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * length);
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0x0FU];
  }
  return out;
}

}  // namespace mhsim::analysis
