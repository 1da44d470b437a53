# storeagent_module(NAME SOURCES ... DEPS ... [PCH header ...]): one static
# library per folder, linked with the shared compiler settings. PCH: the
# headers from outside the project (and generated messages) that most of
# its sources read, precompiled once for the library (STOREAGENT_PCH;
# docs/testing.md, "Build time"). Angle brackets as is; a generated
# message header quoted as [["storeagent/v1/x.pb.h"]].
function(storeagent_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PCH" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_link_libraries(${name} PUBLIC storeagent_flags ${ARG_DEPS})
  if(STOREAGENT_PCH AND ARG_PCH)
    target_precompile_headers(${name} PRIVATE ${ARG_PCH})
  endif()
endfunction()

# What most libraries read: the standard library's containers and the
# messages.
set(STOREAGENT_PCH_COMMON
  <algorithm> <chrono> <cstdint> <functional> <map> <memory> <optional>
  <string> <string_view> <utility> <vector>
  [["storeagent/v1/events.pb.h"]] [["storeagent/v1/sync.pb.h"]])
# ... and the services: gRPC and the generated stubs.
set(STOREAGENT_PCH_GRPC ${STOREAGENT_PCH_COMMON} <grpcpp/grpcpp.h>
  [["storeagent/v1/sync.grpc.pb.h"]])
