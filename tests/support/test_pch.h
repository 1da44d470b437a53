// The precompiled header of every test program (tests/CMakeLists.txt): the
// headers nearly every test reads, parsed once per build instead of once
// per test source (docs/testing.md, "Build time"). Only headers from
// outside the project and the generated messages belong here, never a
// header of ours that changes often (each change rebuilds every test).
#ifndef STOREAGENT_TESTS_SUPPORT_TEST_PCH_H_
#define STOREAGENT_TESTS_SUPPORT_TEST_PCH_H_

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "storeagent/v1/availability.grpc.pb.h"
#include "storeagent/v1/events.pb.h"
#include "storeagent/v1/pos.grpc.pb.h"
#include "storeagent/v1/sync.grpc.pb.h"

#endif  // STOREAGENT_TESTS_SUPPORT_TEST_PCH_H_
