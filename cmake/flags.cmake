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
endif()

# Sanitizers apply to every target, generated code included.
if(STOREAGENT_SANITIZE AND STOREAGENT_TSAN)
  message(FATAL_ERROR "STOREAGENT_SANITIZE (ASan/UBSan) and STOREAGENT_TSAN "
                      "cannot be combined: build them in separate trees")
endif()
if(STOREAGENT_SANITIZE)
  add_compile_options(-fsanitize=address,undefined
                      -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
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
