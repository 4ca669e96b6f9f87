// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>

namespace mhsim::analysis {

/// SHA-256 (FIPS 180-4) of `data`, as 64 lowercase hex digits, computed by OpenSSL's EVP
/// interface (libcrypto). Used to fingerprint the scenario text stored in every results file.
std::string sha256_hex(std::string_view data);

}  // namespace mhsim::analysis
