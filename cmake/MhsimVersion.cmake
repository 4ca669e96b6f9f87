# SPDX-License-Identifier: MIT
# The build's version, `git describe --always --dirty --tags`: recorded in every results file
# so a result can be traced to its code, and printed by `mhsim version`. It is written into one
# generated source (mhsim::version, pipeline/version.hpp) at EVERY build, not only when CMake
# configures: a commit or an edit since the last configure would otherwise leave the binary
# naming code it was not built from. The file is rewritten only when the text changes, so an
# unchanged version recompiles nothing.
find_package(Git QUIET)
set(MHSIM_VERSION_CPP ${CMAKE_BINARY_DIR}/generated/mhsim_version.cpp)
set(_mhsim_version_args -DSOURCE_DIR=${CMAKE_SOURCE_DIR} -DOUT=${MHSIM_VERSION_CPP} -DGIT=${GIT_EXECUTABLE}
    -P ${CMAKE_CURRENT_LIST_DIR}/MhsimWriteVersion.cmake)
execute_process(COMMAND ${CMAKE_COMMAND} ${_mhsim_version_args})  # so the file exists before the first build
add_custom_target(mhsim_version_stamp
  COMMAND ${CMAKE_COMMAND} ${_mhsim_version_args}
  BYPRODUCTS ${MHSIM_VERSION_CPP}
  VERBATIM)
add_library(mhsim_version STATIC ${MHSIM_VERSION_CPP})
add_dependencies(mhsim_version mhsim_version_stamp)
target_include_directories(mhsim_version PUBLIC ${PROJECT_SOURCE_DIR})
