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
  storeagent_unity(${name})
endfunction()

# storeagent_unity(TARGET): compile the target's sources in batches of 8,
# one translation unit each (STOREAGENT_UNITY). The headers every source
# reads (gRPC, Beast, the messages) and the templates they instantiate are
# then compiled once a batch, not once a file: the two builds CI runs cost
# about a third less (docs/testing.md, "Build time"). A name a source keeps
# to itself therefore goes in its own namespace or is unique in the target:
# two files' anonymous namespaces are one namespace in a batch.
function(storeagent_unity target)
  if(STOREAGENT_UNITY)
    set_target_properties(${target} PROPERTIES UNITY_BUILD ON
                          UNITY_BUILD_BATCH_SIZE 8)
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
