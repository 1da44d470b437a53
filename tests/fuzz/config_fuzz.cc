// Fuzz target `config`: TOML text read as storeagentd's configuration
// (agent::ParseAgentConfig, without reading the key files it names) and as
// storecentrald's (central::ParseCentralConfig, which reads the TLS files
// it names: any path, read-only and size-capped).
//
// Whatever the text, nothing crashes or throws; every refusal names the
// file; a configuration that parses read keys of its schema only, each
// once and in the schema's order (AgentConfigKeys(), CentralConfigKeys()),
// and parses again to the same settings.
// Seeds: tests/fuzz/corpus/config (the installed agent.toml and
// central.toml, and small variants).
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "agent/config.h"
#include "central/server/central_config.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/fuzz_target.h"

namespace storeagent::fuzz {
namespace {

constexpr char kOrigin[] = "fuzz.toml";

// The keys read are the schema's, each once, in the schema's order. Not
// always all of them: the agent's parser reads no [sync] key but
// sync.central's table when the file has no [sync].
void CheckKeysRead(const std::vector<std::string>& read,
                   std::span<const platform::TomlKey> schema) {
  size_t next = 0;  // where in the schema the next key read must be
  for (const std::string& key : read) {
    while (next < schema.size() && schema[next].dotted != key) ++next;
    FUZZ_CHECK(next < schema.size(),
               "key " + key + " read out of the schema's order, or twice");
    ++next;
  }
}

void CheckRefusal(const Status& s) {
  FUZZ_CHECK(!s.ok(), "a refusal that is OK");
  FUZZ_CHECK(s.message().find(kOrigin) != std::string::npos,
             "a refusal that does not name the file: " + s.ToString());
}

void Agent(std::string_view toml) {
  std::vector<std::string> keys;
  Result<agent::AgentConfig> c =
      agent::ParseAgentConfig(toml, kOrigin, /*load_secrets=*/false, &keys);
  if (!c.ok()) {
    CheckRefusal(c.status());
    return;
  }
  CheckKeysRead(keys, agent::AgentConfigKeys());
  Result<agent::AgentConfig> again =
      agent::ParseAgentConfig(toml, kOrigin, /*load_secrets=*/false);
  FUZZ_CHECK(again.ok() && *again == *c, "a second parse differs");
}

void Central(std::string_view toml) {
  std::vector<std::string> keys;
  Result<central::CentralConfig> c =
      central::ParseCentralConfig(toml, kOrigin, &keys);
  if (!c.ok()) {
    CheckRefusal(c.status());
    return;
  }
  CheckKeysRead(keys, central::CentralConfigKeys());
}

}  // namespace
}  // namespace storeagent::fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) { return 0; }

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view toml(reinterpret_cast<const char*>(data), size);
  storeagent::fuzz::Agent(toml);
  storeagent::fuzz::Central(toml);
  return 0;
}
