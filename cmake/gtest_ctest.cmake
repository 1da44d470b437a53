# ctest entries for a GoogleTest program, found when ctest runs (like
# GoogleTest's gtest_discover_tests in PRE_TEST mode): the program is asked
# for its tests (--gtest_list_tests) the first time ctest runs after it was
# built, and the list is kept beside it until it is built again.
#
#   storeagent_gtest_ctest(TARGET PREFIX p EACH suite|test
#                          LABELS ... TIMEOUT s [COST n]
#                          [ENVIRONMENT VAR=value ...]
#                          [FIXTURES_REQUIRED name])
#
# EACH test: one ctest test per GoogleTest test, `<p><Suite>.<Test>`.
# EACH suite: one per suite, `<p><Suite>`, running the suite's tests in one
# process (--gtest_filter=Suite.*): a process start costs about 0.2 s under
# AddressSanitizer, more than most unit tests (docs/testing.md, "Build
# time"). A suite passes when none of its tests failed; a test it skips
# shows in its output (ctest -V), not in ctest's list of skipped tests
# (ctest would mark the whole suite skipped, a failure in it too).
#
# A program that lists no test at all gets a ctest test that fails, so a
# program that stopped registering tests never passes quietly.

# ctest reads this file with no policies set: quoted if() arguments are
# strings, not variable names, in the functions below (a function keeps
# the policies of where it was defined).
cmake_policy(PUSH)
cmake_policy(SET CMP0054 NEW)
function(storeagent_gtest_ctest target)
  cmake_parse_arguments(ARG "" "PREFIX;EACH;TIMEOUT;COST;FIXTURES_REQUIRED"
                        "LABELS;ENVIRONMENT" ${ARGN})
  if(NOT ARG_EACH MATCHES "^(suite|test)$")
    message(FATAL_ERROR "storeagent_gtest_ctest(${target}): EACH suite|test")
  endif()
  if(NOT ARG_COST)
    set(ARG_COST 0)
  endif()
  # The properties as set_tests_properties arguments, each value one
  # bracket argument (a list stays one value: ENVIRONMENT's ';').
  list(JOIN ARG_LABELS ";" labels)
  list(JOIN ARG_ENVIRONMENT ";" environment)
  set(props "LABELS [==[${labels}]==] TIMEOUT ${ARG_TIMEOUT} COST ${ARG_COST}")
  if(environment)
    string(APPEND props " ENVIRONMENT [==[${environment}]==]")
  endif()
  if(ARG_FIXTURES_REQUIRED)
    string(APPEND props " FIXTURES_REQUIRED [==[${ARG_FIXTURES_REQUIRED}]==]")
  endif()
  set(dir "${CMAKE_CURRENT_BINARY_DIR}")
  set(list_file "${dir}/${target}_ctest_list.cmake")
  set(include_file "${dir}/${target}_ctest_include.cmake")
  file(GENERATE OUTPUT "${include_file}" CONTENT
"set(exe [==[$<TARGET_FILE:${target}>]==])
set(list_file [==[${list_file}]==])
if(EXISTS \"\${exe}\")
  if(NOT EXISTS \"\${list_file}\" OR
     NOT \"\${list_file}\" IS_NEWER_THAN \"\${exe}\" OR
     NOT \"\${list_file}\" IS_NEWER_THAN \"\${CMAKE_CURRENT_LIST_FILE}\" OR
     NOT \"\${list_file}\" IS_NEWER_THAN [==[${CMAKE_CURRENT_FUNCTION_LIST_FILE}]==])
    include([==[${CMAKE_CURRENT_FUNCTION_LIST_FILE}]==])
    storeagent_gtest_write_list(\"\${exe}\" [==[${target}]==] [==[${ARG_PREFIX}]==]
      [==[${ARG_EACH}]==] [==[${dir}]==] [====[${props}]====] \"\${list_file}\")
  endif()
  include(\"\${list_file}\")
else()
  add_test([==[${ARG_PREFIX}NOT_BUILT]==] [==[${target}_NOT_BUILT]==])
endif()
")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${include_file}")
endfunction()

# Run by ctest: writes `list_file`, the add_test and set_tests_properties
# calls for each suite or test `exe` lists.
function(storeagent_gtest_write_list exe target prefix each dir props
         list_file)
  execute_process(COMMAND "${exe}" --gtest_list_tests
    WORKING_DIRECTORY "${dir}" TIMEOUT 60
    OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR
      "${target} --gtest_list_tests failed (${rc}):\n${out}\n${err}")
  endif()
  # Suites start a line ("Suite." or "Prefix/Suite.", maybe "  # TypeParam
  # = ..." after); their tests follow, indented ("  Test", maybe "  #
  # GetParam() = ..." after). Only names go into lists here: a parameter's
  # text may hold ';' or '['.
  string(REPLACE ";" "," out "${out}")
  string(REPLACE "[" "(" out "${out}")
  string(REPLACE "]" ")" out "${out}")
  string(REPLACE "\n" ";" lines "${out}")
  # One test: its skip is ctest's skip (a suite's, above, is not).
  set(extra "")
  if(each STREQUAL "test")
    set(extra " SKIP_REGULAR_EXPRESSION [==[\\[  SKIPPED \\]]==]")
  endif()
  set(content "")
  set(count 0)
  set(suite "")
  foreach(line IN LISTS lines)
    if(line MATCHES "^([^ #][^ ]*)\\.( |$)")
      set(suite "${CMAKE_MATCH_1}")
      if(each STREQUAL "suite")
        set(name "${prefix}${suite}")
        set(filter "${suite}.*")
      else()
        continue()
      endif()
    elseif(line MATCHES "^  ([^ #]+)( |$)" AND each STREQUAL "test" AND suite)
      set(name "${prefix}${suite}.${CMAKE_MATCH_1}")
      set(filter "${suite}.${CMAKE_MATCH_1}")
    else()
      continue()
    endif()
    if(name MATCHES "(^|\\.)DISABLED_")
      continue()  # as the program itself: not run unless asked
    endif()
    math(EXPR count "${count} + 1")
    string(APPEND content
      "add_test([==[${name}]==] [==[${exe}]==] [==[--gtest_filter=${filter}]==])\n"
      "set_tests_properties([==[${name}]==] PROPERTIES WORKING_DIRECTORY "
      "[==[${dir}]==] ${props}${extra})\n")
  endforeach()
  if(count EQUAL 0)
    string(APPEND content
      "add_test([==[${prefix}NO_TESTS_LISTED]==] false)\n"
      "set_tests_properties([==[${prefix}NO_TESTS_LISTED]==] PROPERTIES "
      "${props})\n")
  endif()
  file(WRITE "${list_file}" "${content}")
endfunction()

cmake_policy(POP)
