// The two entry points every fuzz target defines, as libFuzzer declares
// them. The libFuzzer programs of the fuzz tree call them from libFuzzer's
// driver; the replay programs of the gcc trees from replay_main.cc.
#ifndef STOREAGENT_TESTS_FUZZ_FUZZ_TARGET_H_
#define STOREAGENT_TESTS_FUZZ_FUZZ_TARGET_H_

#include <cstddef>
#include <cstdint>

// Once, before the first input: builds what the target keeps between
// inputs (a database, a directory of users). Returns 0.
extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv);
// One input. Returns 0, or -1 to keep the input out of the corpus.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

#endif  // STOREAGENT_TESTS_FUZZ_FUZZ_TARGET_H_
