// TomlKey: one key a settings file may hold, as its parser's key list
// writes it (agent/config.cc, central/server/central_config.cc). The list is
// the parser's own schema (platform::SchemaOf, TomlReader::CheckKnown), and
// the shipped files (installer/config/) and docs/configuration.md show the
// same keys with the same defaults; tests/unit/installer compares the three.
#ifndef STOREAGENT_PLATFORM_TOML_KEY_H_
#define STOREAGENT_PLATFORM_TOML_KEY_H_

#include <string_view>

namespace storeagent::platform {

struct TomlKey {
  // "table.key".
  std::string_view dotted;
  // The default as a TOML value ("\"info\"", "4", "false"), or "" when the
  // key has none: required, derived from another key, or a path whose
  // absence means the feature is off.
  std::string_view default_value;
};

}  // namespace storeagent::platform

#endif  // STOREAGENT_PLATFORM_TOML_KEY_H_
