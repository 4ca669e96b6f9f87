// SPDX-License-Identifier: MIT
#pragma once

namespace mhsim {

/// `git describe --always --dirty --tags` of the source tree when this binary was built (at the
/// build, not at CMake's configure), or "unknown" outside a git checkout. Written into every
/// results file as `mhsim_version`. Defined in a file the build generates
/// (cmake/MhsimWriteVersion.cmake).
const char* version() noexcept;

}  // namespace mhsim
