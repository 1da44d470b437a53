// Small helpers shared by core's validators (event_validation.cc,
// stock_validation.cc): the "path: what (limit)" error and the count and
// range checks, so every validator words its refusals the same way.
#ifndef STOREAGENT_CORE_VALIDATION_UTIL_H_
#define STOREAGENT_CORE_VALIDATION_UTIL_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/text_checks.h"
#include "platform/status.h"

namespace storeagent::core::validation {

template <typename T>
std::string Num(T v) {
  return std::to_string(v);
}

inline Status Error(const std::string& path, const std::string& what) {
  return InvalidArgument(path + ": " + what);
}

// `n` entries of `noun` at `path` must be within min..max.
inline Status CheckCount(std::int64_t n, std::int64_t min, std::int64_t max,
                         const std::string& path, const std::string& noun) {
  if (n < min) {
    return Error(path, "at least " + Num(min) + " " + noun + " required (" +
                           Num(min) + ".." + Num(max) + ")");
  }
  if (n > max) {
    return Error(path,
                 Num(n) + " " + noun + ", too many (max " + Num(max) + ")");
  }
  return Status::Ok();
}

inline Status CheckRange(std::int64_t v, std::int64_t lo, std::int64_t hi,
                         const std::string& path,
                         const std::string& note = "") {
  if (v < lo || v > hi) {
    return Error(path, Num(v) + " out of range (" + Num(lo) + ".." + Num(hi) +
                           note + ")");
  }
  return Status::Ok();
}

// A string of min..max characters at `path`, then CheckText: well-formed
// UTF-8, no control character, no card number. The value is never echoed.
inline Status CheckString(std::string_view value, const std::string& path,
                          std::size_t min, std::size_t max) {
  if (IsValidUtf8(value)) {  // else CheckText says so
    const std::size_t length = Utf8Length(value);
    if (length < min) {
      return Error(path,
                   "required (" + Num(min) + ".." + Num(max) + " characters)");
    }
    if (length > max) {
      return Error(path, "too long, " + Num(length) + " characters (max " +
                             Num(max) + ")");
    }
  }
  return CheckText(value, "", path);
}

}  // namespace storeagent::core::validation

#endif  // STOREAGENT_CORE_VALIDATION_UTIL_H_
