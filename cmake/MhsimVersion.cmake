# SPDX-License-Identifier: MIT
# MHSIM_GIT_DESCRIBE: recorded in every results file so a result can be traced to its code.
find_package(Git QUIET)
set(MHSIM_GIT_DESCRIBE "unknown")
if(GIT_FOUND)
  execute_process(COMMAND ${GIT_EXECUTABLE} describe --always --dirty --tags
                  WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}
                  OUTPUT_VARIABLE _describe OUTPUT_STRIP_TRAILING_WHITESPACE
                  ERROR_QUIET RESULT_VARIABLE _rc)
  if(_rc EQUAL 0 AND _describe)
    set(MHSIM_GIT_DESCRIBE "${_describe}")
  endif()
endif()
