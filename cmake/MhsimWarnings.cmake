# SPDX-License-Identifier: MIT
# mhsim::warnings: the warning set every target of ours links (INTERFACE, never global flags).
add_library(mhsim_warnings INTERFACE)
add_library(mhsim::warnings ALIAS mhsim_warnings)
target_compile_options(mhsim_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wold-style-cast
  -Wnon-virtual-dtor -Woverloaded-virtual -Wnull-dereference -Wdouble-promotion
  -Wimplicit-fallthrough -Wformat=2)
if(MHSIM_WERROR)
  target_compile_options(mhsim_warnings INTERFACE -Werror)
endif()
# IEEE order of operations is part of reproducibility: never let a preset add fast-math.
target_compile_options(mhsim_warnings INTERFACE -fno-fast-math)
