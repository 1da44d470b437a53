// The command-line convention every program of the product follows
// (docs/operations-cli.md): --help and --version print and exit 0; a usage
// error (an unknown option, a bad value, a mistyped or missing subcommand)
// prints "<program>: <what>" and a hint and exits 2; a failure of the work
// itself exits 1.
#ifndef STOREAGENT_PLATFORM_CLI_H_
#define STOREAGENT_PLATFORM_CLI_H_

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace storeagent::platform {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// "storeagentd 0.2.0 (git 1a2b3c4d5e6f, RelWithDebInfo)": the version, the
// source revision it was built from ("-dirty" with local changes, "unknown"
// outside a git checkout) and the build type.
std::string VersionText(std::string_view program);

// Adds --version (VersionText of the app's name) to `app`.
void AddVersionFlag(CLI::App& app);

// Parses; nullopt when the program should go on, else the exit code after
// printing what --help, --version or the usage error asks for.
std::optional<int> ParseCommandLine(CLI::App& app, int argc,
                                    const char* const* argv);

// Of `candidates`, the one nearest to `word` (edit distance at most 2, or
// `word` a prefix of exactly one), or "" when none is near.
std::string NearestWord(std::string_view word,
                        const std::vector<std::string>& candidates);

}  // namespace storeagent::platform

#endif  // STOREAGENT_PLATFORM_CLI_H_
