// TomlReader: the strict reading of a TOML settings file that storeagentd's
// and storecentrald's configs share (agent/config.cc,
// central/server/central_config.cc).
//
// Strict means: a table or key the schema does not list is an error naming
// it, a value of the wrong type or out of range is an error naming its
// `table.key`, and every error starts with the file's origin:
//   "agent.toml: sync.window: must be 1..64, got 0"
// A key that is absent leaves the caller's default alone. Debian's toml++
// throws; no exception leaves this class.
#ifndef STOREAGENT_PLATFORM_TOML_READER_H_
#define STOREAGENT_PLATFORM_TOML_READER_H_

#include <toml++/toml.h>

#include <cstdint>
#include <initializer_list>
#include <map>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "platform/status.h"
#include "platform/toml_key.h"

namespace storeagent::platform {

// The tables a file may hold, each with the keys it may hold.
using TomlSchema = std::map<std::string, std::set<std::string>>;

// The schema CheckKnown takes, from a key list.
TomlSchema SchemaOf(std::span<const TomlKey> keys);

class TomlReader {
 public:
  // Parses `text`. A syntax error is InvalidArgument
  // "ORIGIN:LINE: what toml++ says".
  static Result<TomlReader> Parse(std::string_view text, std::string origin);

  // InvalidArgument "ORIGIN: KEY: WHAT".
  Status Error(const std::string& key, const std::string& what) const;

  // Every top-level entry must be a table `schema` names ("T: unknown
  // table", "T: must be a table [T]"), holding only the keys listed for it
  // ("T.K: unknown key"). Arrays of tables ([[t.k]]) are checked by the
  // caller, whose keys they are.
  Status CheckKnown(const TomlSchema& schema) const;

  // The getters read `dotted` ("table.key"). Absent: Ok, *out unchanged.
  // Present with the wrong type or value: an Error naming `dotted`, *out
  // unchanged.
  Status String(const std::string& dotted, std::string* out) const;
  Status Bool(const std::string& dotted, bool* out) const;  // true|false
  // An integer in lo..hi ("must be LO..HI, got V"). lo..hi must fit T.
  template <typename T>
  Status Int(const std::string& dotted, int64_t lo, int64_t hi, T* out) const {
    if (!std::in_range<T>(lo) || !std::in_range<T>(hi)) {
      return Error(dotted, "range " + std::to_string(lo) + ".." +
                               std::to_string(hi) +
                               " does not fit the setting (a bug)");
    }
    int64_t v = 0;
    bool present = false;
    STOREAGENT_RETURN_IF_ERROR(Int64(dotted, lo, hi, &v, &present));
    if (present) *out = static_cast<T>(v);
    return Status::Ok();
  }
  // A string, then *out (read or default) must be one of `allowed`:
  // "must be a, b or c".
  Status OneOf(const std::string& dotted,
               std::initializer_list<std::string_view> allowed,
               std::string* out) const;

  const toml::table& root() const { return root_; }
  const std::string& origin() const { return origin_; }

 private:
  TomlReader(toml::table root, std::string origin)
      : root_(std::move(root)), origin_(std::move(origin)) {}

  Status Int64(const std::string& dotted, int64_t lo, int64_t hi, int64_t* out,
               bool* present) const;

  toml::table root_;
  std::string origin_;
};

}  // namespace storeagent::platform

#endif  // STOREAGENT_PLATFORM_TOML_READER_H_
