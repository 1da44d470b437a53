# Compiler settings every target of ours links: C++20, warnings are errors.
add_library(storeagent_flags INTERFACE)
target_compile_features(storeagent_flags INTERFACE cxx_std_20)
set(CMAKE_CXX_EXTENSIONS OFF)
target_compile_options(storeagent_flags INTERFACE
  -Wall -Wextra -Wpedantic -Werror -Wshadow -Wnon-virtual-dtor
  -Wold-style-cast -Wcast-align -Wimplicit-fallthrough)
target_include_directories(storeagent_flags INTERFACE ${PROJECT_SOURCE_DIR})
# GCC 12 at -O2/-O3 reports -Wrestrict falsely inside libstdc++'s string
# code for `"literal" + std::string&&` (GCC bug 105329); it has no true
# positives in our code to lose.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND
   CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(storeagent_flags INTERFACE -Wno-restrict)
  # The same inlined string code reports -Warray-bounds and
  # -Wstringop-overflow falsely (seen in core/price_book.cc) once libstdc++
  # comes from a precompiled header, where its system-header status no
  # longer hides them. AddressSanitizer checks bounds for real in CI.
  target_compile_options(storeagent_flags INTERFACE -Wno-array-bounds
                         -Wno-stringop-overflow -Wno-stringop-overread)
endif()

# Debug information. "lines" (the default): -g1, file, line and function
# names only: enough for backtraces, sanitizer reports and perf, and a
# third less compile time than -g (the CI budget, docs/testing.md).
# "full": -g, variables and types too, for gdb.
set(STOREAGENT_DEBUG_INFO lines CACHE STRING "Debug information: lines | full")
set_property(CACHE STOREAGENT_DEBUG_INFO PROPERTY STRINGS lines full)
if(STOREAGENT_DEBUG_INFO STREQUAL "lines")
  foreach(lang C CXX)
    foreach(config DEBUG RELWITHDEBINFO)
      string(REGEX REPLACE "(^| )-g( |$)" "\\1-g1\\2"
             CMAKE_${lang}_FLAGS_${config} "${CMAKE_${lang}_FLAGS_${config}}")
    endforeach()
  endforeach()
elseif(NOT STOREAGENT_DEBUG_INFO STREQUAL "full")
  message(FATAL_ERROR "STOREAGENT_DEBUG_INFO must be lines or full, not "
                      "'${STOREAGENT_DEBUG_INFO}'")
endif()

# lld links the test programs several times faster than BFD ld
# (scripts/install-deps installs it); without it, the default linker.
find_program(STOREAGENT_LLD NAMES ld.lld)
if(STOREAGENT_LLD)
  add_link_options(-fuse-ld=lld)
endif()

# Sanitizers apply to every target but the generated messages
# (proto/CMakeLists.txt says why).
if(STOREAGENT_SANITIZE AND STOREAGENT_TSAN)
  message(FATAL_ERROR "STOREAGENT_SANITIZE (ASan/UBSan) and STOREAGENT_TSAN "
                      "cannot be combined: build them in separate trees")
endif()
set(STOREAGENT_SANITIZE_COMPILE_FLAGS -fsanitize=address,undefined
    -fno-sanitize-recover=undefined)
if(STOREAGENT_SANITIZE)
  add_compile_options(${STOREAGENT_SANITIZE_COMPILE_FLAGS}
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
# libFuzzer (STOREAGENT_FUZZ, clang only): every target of ours is built
# with ASan + UBSan and the fuzzer's coverage instrumentation
# (fuzzer-no-link); the fuzz programs link libFuzzer itself
# (tests/fuzz/CMakeLists.txt). -O1 in Debug, as libFuzzer's documentation
# advises: several times the executions of -O0, assertions kept.
set(STOREAGENT_FUZZ_COMPILE_FLAGS
    -fsanitize=address,undefined,fuzzer-no-link
    -fno-sanitize-recover=undefined)
if(STOREAGENT_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "STOREAGENT_FUZZ needs clang (libFuzzer): configure "
                        "with CC=clang CXX=clang++ (scripts/fuzz does)")
  endif()
  if(STOREAGENT_SANITIZE OR STOREAGENT_TSAN)
    message(FATAL_ERROR "STOREAGENT_FUZZ brings its own sanitizers: build it "
                        "in a tree of its own")
  endif()
  add_compile_options(${STOREAGENT_FUZZ_COMPILE_FLAGS} -fno-omit-frame-pointer
                      $<$<CONFIG:Debug>:-O1>)
  add_link_options(-fsanitize=address,undefined)
endif()
# ThreadSanitizer: scripts/test --tsan. Debian's gRPC, protobuf and SQLite
# are not instrumented; tests/tsan.supp lists what that hides, with reasons.
if(STOREAGENT_TSAN)
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
  # GCC 12 warns (-Wtsan) that TSan does not model std::atomic_thread_fence,
  # which Boost.Asio uses (std_fenced_block, atomic_count). The warning is
  # about the tool, not our code, so it must not fail the build; what TSan
  # cannot see there is in docs/testing.md.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    add_compile_options(-Wno-tsan)
  endif()
endif()
