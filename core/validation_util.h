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

// The path of a field in the message being checked, e.g.
// "transaction.sale.lines[2].sku", put into words only when a check fails:
// the validators run on every event a till records and central ingests,
// and building each field's path as a string cost more than checking it
// (about 7 % of central's CPU in a catch-up, 2026-12-07).
//
// A path made with `/` or `[]` refers to the path it was made from and to
// the name given: pass it down within one expression, or keep it in a
// local only when what it refers to outlives that local (a parameter, a
// literal).
class FieldPath {
 public:
  // A root path: a literal, a caller's string or view (kept by reference).
  FieldPath(const char* root) : name_(root) {}         // NOLINT
  FieldPath(std::string_view root) : name_(root) {}    // NOLINT
  FieldPath(const std::string& root) : name_(root) {}  // NOLINT

  // The field `name` ("sku", or "tax.amount") of this path's message.
  FieldPath operator/(std::string_view name) const {
    return FieldPath(this, name, -1);
  }
  // Element `index` of this repeated field.
  FieldPath operator[](int index) const { return FieldPath(this, {}, index); }

  std::string str() const {
    std::string out = parent_ != nullptr ? parent_->str() : std::string();
    if (index_ >= 0) return out + "[" + std::to_string(index_) + "]";
    if (!out.empty() && !name_.empty()) out += '.';
    out += name_;
    return out;
  }

 private:
  FieldPath(const FieldPath* parent, std::string_view name, int index)
      : parent_(parent), name_(name), index_(index) {}

  const FieldPath* parent_ = nullptr;
  std::string_view name_;
  int index_ = -1;
};

inline Status Error(const FieldPath& path, const std::string& what) {
  return InvalidArgument(path.str() + ": " + what);
}

// `n` entries of `noun` at `path` must be within min..max.
inline Status CheckCount(std::int64_t n, std::int64_t min, std::int64_t max,
                         const FieldPath& path, std::string_view noun) {
  if (n < min) {
    return Error(path, "at least " + Num(min) + " " + std::string(noun) +
                           " required (" + Num(min) + ".." + Num(max) + ")");
  }
  if (n > max) {
    return Error(path, Num(n) + " " + std::string(noun) + ", too many (max " +
                           Num(max) + ")");
  }
  return Status::Ok();
}

inline Status CheckRange(std::int64_t v, std::int64_t lo, std::int64_t hi,
                         const FieldPath& path, std::string_view note = "") {
  if (v < lo || v > hi) {
    return Error(path, Num(v) + " out of range (" + Num(lo) + ".." + Num(hi) +
                           std::string(note) + ")");
  }
  return Status::Ok();
}

// CheckText with the path put into words only when the value fails.
inline Status CheckTextAt(std::string_view value,
                          std::string_view field_full_name,
                          const FieldPath& path) {
  Status s = CheckText(value, field_full_name, "");
  if (s.ok()) return s;
  return CheckText(value, field_full_name, path.str());
}

// A string of min..max characters at `path`, then CheckText: well-formed
// UTF-8, no control character, no card number. The value is never echoed.
inline Status CheckString(std::string_view value, const FieldPath& path,
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
  return CheckTextAt(value, "", path);
}

}  // namespace storeagent::core::validation

#endif  // STOREAGENT_CORE_VALIDATION_UTIL_H_
