# SPDX-License-Identifier: MIT
# MHSIM_SANITIZE="address;undefined" instruments every target (ours and the tests).
if(MHSIM_SANITIZE)
  list(JOIN MHSIM_SANITIZE "," _mhsim_san)
  add_compile_options(-fsanitize=${_mhsim_san} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${_mhsim_san})
  message(STATUS "mhsim: sanitizers enabled: ${_mhsim_san}")
endif()
