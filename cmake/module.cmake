# storeagent_module(NAME SOURCES ... DEPS ...): one static library per folder,
# linked with the shared compiler settings.
function(storeagent_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_link_libraries(${name} PUBLIC storeagent_flags ${ARG_DEPS})
endfunction()
