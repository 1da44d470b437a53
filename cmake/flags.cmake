# Compiler settings every target of ours links: C++20, warnings are errors.
add_library(storeagent_flags INTERFACE)
target_compile_features(storeagent_flags INTERFACE cxx_std_20)
set(CMAKE_CXX_EXTENSIONS OFF)
target_compile_options(storeagent_flags INTERFACE
  -Wall -Wextra -Wpedantic -Werror -Wshadow -Wnon-virtual-dtor
  -Wold-style-cast -Wcast-align -Wimplicit-fallthrough)
target_include_directories(storeagent_flags INTERFACE ${PROJECT_SOURCE_DIR})

# Sanitizers apply to every target, generated code included.
if(STOREAGENT_SANITIZE)
  add_compile_options(-fsanitize=address,undefined
                      -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
