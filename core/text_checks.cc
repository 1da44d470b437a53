// Text checks: card-number detection, UTF-8, control characters and the
// per-field length table, applied to every string of a message by reflection.
#include "core/text_checks.h"

#include <google/protobuf/descriptor.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/limits.h"

namespace storeagent::core {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

struct FieldLimit {
  std::string_view field;  // full proto name
  std::size_t max_chars;
};

// Fields whose limit differs from kMaxFreeTextLength, or is stated in the
// proto and worth naming. Keep in step with the proto comments.
constexpr std::array<FieldLimit, 34> kFieldLimits = {{
    {"storeagent.v1.Money.currency", kCurrencyCodeLength},
    {"storeagent.v1.ClientKey.terminal_id", kMaxClientKeyIdLength},
    {"storeagent.v1.ClientKey.client_txn_id", kMaxClientKeyIdLength},
    {"storeagent.v1.Discount.reason", kMaxDiscountReasonLength},
    {"storeagent.v1.TransactionLine.sku", kMaxSkuLength},
    {"storeagent.v1.TransactionLine.gtin", kMaxGtinLength},
    {"storeagent.v1.TransactionLine.description", kMaxDescriptionLength},
    {"storeagent.v1.Tender.token", kMaxTenderTokenLength},
    {"storeagent.v1.Tender.brand", kMaxTenderBrandLength},
    {"storeagent.v1.Tender.last_four", kLastFourDigits},
    {"storeagent.v1.Tender.auth_code", kMaxAuthCodeLength},
    {"storeagent.v1.Sale.operator_id", kMaxOperatorIdLength},
    {"storeagent.v1.Sale.receipt_number", kMaxReceiptNumberLength},
    {"storeagent.v1.Sale.business_day", kBusinessDayLength},
    {"storeagent.v1.Sale.order_ref", kMaxSaleOrderRefLength},
    {"storeagent.v1.OriginalTransaction.store_id", kMaxStoreIdLength},
    {"storeagent.v1.OriginalTransaction.reference",
     kMaxOriginalReferenceLength},
    {"storeagent.v1.OriginalTransaction.channel", kMaxChannelLength},
    {"storeagent.v1.OriginalTransaction.business_day", kBusinessDayLength},
    {"storeagent.v1.Return.reason", kMaxReasonLength},
    {"storeagent.v1.Return.operator_id", kMaxOperatorIdLength},
    {"storeagent.v1.Return.business_day", kBusinessDayLength},
    {"storeagent.v1.PostVoid.reason", kMaxReasonLength},
    {"storeagent.v1.PostVoid.operator_id", kMaxOperatorIdLength},
    {"storeagent.v1.PostVoid.business_day", kBusinessDayLength},
    {"storeagent.v1.NoSale.reason", kMaxReasonLength},
    {"storeagent.v1.NoSale.operator_id", kMaxOperatorIdLength},
    {"storeagent.v1.NoSale.business_day", kBusinessDayLength},
    {"storeagent.v1.DailyClose.business_day", kBusinessDayLength},
    {"storeagent.v1.DailyClose.operator_id", kMaxOperatorIdLength},
    {"storeagent.v1.LoyaltyMember.card_number", kMaxLoyaltyCardDigits},
    {"storeagent.v1.ContactDetails.name", kMaxContactNameLength},
    {"storeagent.v1.ContactDetails.email", kMaxContactEmailLength},
    {"storeagent.v1.ContactDetails.phone", kMaxContactPhoneLength},
}};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

// Luhn over digit values (0..9), rightmost digit first undoubled.
bool LuhnOverValues(const std::uint8_t* d, std::size_t n) {
  unsigned sum = 0;
  for (std::size_t i = 0; i < n; ++i) {
    unsigned v = d[n - 1 - i];
    if (i % 2 == 1) {
      v *= 2;
      if (v > 9) v -= 9;
    }
    sum += v;
  }
  return sum % 10 == 0;
}

std::string HexByte(unsigned char c) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  return std::string("0x") + kHex[c >> 4] + kHex[c & 0xF];
}

std::string Join(std::string_view path, std::string_view name) {
  std::string out(path);
  if (!out.empty()) out += '.';
  out += name;
  return out;
}

// The short names of identifier fields (IsIdentifierField), in any message.
// price_list_id is head office's id of a list (PriceDeviation carries it
// back), import_id the agent's own, request_key head office's retry key.
constexpr std::array<std::string_view, 9> kIdentifierNames = {
    "terminal_id", "client_txn_id", "receipt_number", "order_ref",  "store_id",
    "operator_id", "price_list_id", "import_id",      "request_key"};

// One code point of `text` at `i` and its length in bytes. A byte that does
// not start a well-formed sequence (a stray continuation byte, a C0/C1
// overlong lead, a lead above F4, a truncated or overlong sequence, a
// surrogate, anything above U+10FFFF) gives valid = false, length 1.
struct CodePoint {
  std::uint32_t cp;
  std::size_t len;
  bool valid;
};

CodePoint DecodeAt(std::string_view text, std::size_t i) {
  constexpr CodePoint kBad{0xFFFD, 1, false};
  const auto b0 = static_cast<unsigned char>(text[i]);
  if (b0 < 0x80) return {b0, 1, true};
  std::size_t len;
  std::uint32_t cp;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
    cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    cp = b0 & 0x0F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    cp = b0 & 0x07;
  } else {
    return kBad;
  }
  if (text.size() - i < len) return kBad;
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(text[i + k]);
    if ((b & 0xC0) != 0x80) return kBad;
    cp = (cp << 6) | (b & 0x3F);
  }
  if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)) return kBad;
  if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return kBad;
  return {cp, len, true};
}

// The code point of digit zero of each block of ten decimal digits
// (Unicode 15.0, general category Nd), ascending.
constexpr std::array<std::uint32_t, 68> kDigitZeros = {
    0x0030,  0x0660,  0x06F0,  0x07C0,  0x0966,  0x09E6,  0x0A66,  0x0AE6,
    0x0B66,  0x0BE6,  0x0C66,  0x0CE6,  0x0D66,  0x0DE6,  0x0E50,  0x0ED0,
    0x0F20,  0x1040,  0x1090,  0x17E0,  0x1810,  0x1946,  0x19D0,  0x1A80,
    0x1A90,  0x1B50,  0x1BB0,  0x1C40,  0x1C50,  0xA620,  0xA8D0,  0xA900,
    0xA9D0,  0xA9F0,  0xAA50,  0xABF0,  0xFF10,  0x104A0, 0x10D30, 0x11066,
    0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650, 0x116C0,
    0x11730, 0x118E0, 0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x11F50, 0x16A60,
    0x16AC0, 0x16B50, 0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140,
    0x1E2F0, 0x1E4F0, 0x1E950, 0x1FBF0};

// The value 0..9 of a decimal digit, or -1.
int DigitValue(std::uint32_t cp) {
  if (cp < 0x80)
    return cp >= '0' && cp <= '9' ? static_cast<int>(cp - '0') : -1;
  auto it = std::upper_bound(kDigitZeros.begin(), kDigitZeros.end(), cp);
  if (it == kDigitZeros.begin()) return -1;
  const std::uint32_t zero = *(it - 1);
  return cp - zero < 10 ? static_cast<int>(cp - zero) : -1;
}

// What may stand between the digit groups of a written card number.
bool IsPanSeparator(std::uint32_t cp) {
  switch (cp) {
    case ' ':
    case '-':
    case '.':
    case '/':
    case '_':
    case 0x00A0:  // no-break space
    case 0x00AD:  // soft hyphen
    case 0x1680:  // ogham space mark
    case 0x202F:  // narrow no-break space
    case 0x205F:  // medium mathematical space
    case 0x2060:  // word joiner
    case 0x2212:  // minus sign
    case 0x3000:  // ideographic space
    case 0xFE58:  // small em dash
    case 0xFE63:  // small hyphen-minus
    case 0xFEFF:  // zero-width no-break space
    case 0xFF0D:  // full-width hyphen-minus
    case 0xFF0E:  // full-width full stop
    case 0xFF0F:  // full-width solidus
    case 0xFF3F:  // full-width low line
      return true;
    default:
      // En quad .. zero-width joiner (spaces of every width, zero-width
      // space), hyphen .. horizontal bar.
      return (cp >= 0x2000 && cp <= 0x200D) || (cp >= 0x2010 && cp <= 0x2015);
  }
}

// ContainsPan (`join`: separators join digit groups) and the first half of
// ContainsPanInIdentifier (a separator ends the run).
bool ScanRuns(std::string_view text, bool join) {
  // The digit values of the current run's last kMaxPanDigits digits: no
  // window looks further back, so nothing is allocated per string.
  std::array<std::uint8_t, kMaxPanDigits> run{};
  std::size_t held = 0;
  std::size_t separators = 0;  // in a row since the run's last digit
  for (std::size_t i = 0; i < text.size();) {
    const CodePoint c = DecodeAt(text, i);
    i += c.len;
    const int v = DigitValue(c.cp);
    if (v >= 0) {
      separators = 0;
      if (held == run.size()) {
        std::copy(run.begin() + 1, run.end(), run.begin());
        --held;
      }
      run[held++] = static_cast<std::uint8_t>(v);
      // Every window of kMinPanDigits..kMaxPanDigits ending at this digit.
      for (std::size_t w = kMinPanDigits; w <= held; ++w) {
        if (LuhnOverValues(run.data() + held - w, w)) return true;
      }
      continue;
    }
    if (join && held > 0 && IsPanSeparator(c.cp) &&
        ++separators <= kMaxPanSeparatorRun) {
      continue;
    }
    held = 0;
    separators = 0;
  }
  return false;
}

// The whole of `text` is 13..19 digits passing Luhn, in the groups cards
// are printed in, joined by runs of separators (ContainsPanInIdentifier).
bool IsGroupedCardNumber(std::string_view text) {
  std::array<std::uint8_t, kMaxPanDigits> digits{};
  std::size_t count = 0;
  std::array<std::size_t, kMaxPanDigits> groups{};  // lengths
  std::size_t group_count = 0;
  bool in_group = false;
  std::size_t separators = 0;  // in a row
  for (std::size_t i = 0; i < text.size();) {
    const CodePoint c = DecodeAt(text, i);
    i += c.len;
    const int v = DigitValue(c.cp);
    if (v >= 0) {
      if (count == digits.size()) return false;  // too many digits
      digits[count++] = static_cast<std::uint8_t>(v);
      if (!in_group) groups[group_count++] = 0;
      ++groups[group_count - 1];
      in_group = true;
      separators = 0;
    } else if (IsPanSeparator(c.cp) && ++separators <= kMaxPanSeparatorRun) {
      in_group = false;
    } else {
      return false;  // a letter, or too many separators in a row
    }
  }
  if (count < kMinPanDigits || group_count < 2) return false;
  bool shaped = true;  // 4, 4, ..., 4, then 1..4
  for (std::size_t g = 0; g + 1 < group_count; ++g) shaped &= groups[g] == 4;
  shaped &= groups[group_count - 1] >= 1 && groups[group_count - 1] <= 4;
  const bool amex = group_count == 3 && groups[0] == 4 && groups[1] == 6 &&
                    (groups[2] == 4 || groups[2] == 5);
  return (shaped || amex) && LuhnOverValues(digits.data(), count);
}

}  // namespace

bool PassesLuhn(std::string_view digits) {
  if (digits.empty() || !AllDigits(digits)) return false;
  std::vector<std::uint8_t> values;
  values.reserve(digits.size());
  for (char c : digits) values.push_back(static_cast<std::uint8_t>(c - '0'));
  return LuhnOverValues(values.data(), values.size());
}

bool ContainsPan(std::string_view text) {
  return ScanRuns(text, /*join=*/true);
}

bool ContainsPanInIdentifier(std::string_view text) {
  return ScanRuns(text, /*join=*/false) || IsGroupedCardNumber(text);
}

bool IsIdentifierField(std::string_view field_full_name) {
  if (field_full_name == "storeagent.v1.OriginalTransaction.reference") {
    return true;
  }
  const std::size_t dot = field_full_name.rfind('.');
  const std::string_view name = dot == std::string_view::npos
                                    ? field_full_name
                                    : field_full_name.substr(dot + 1);
  for (std::string_view id : kIdentifierNames) {
    if (name == id) return true;
  }
  return false;
}

bool IsWellFormedGtin(std::string_view text) {
  const std::size_t n = text.size();
  if ((n != 8 && n != 12 && n != 13 && n != 14) || !AllDigits(text)) {
    return false;
  }
  // GS1: from the digit left of the check digit, weights 3, 1, 3, 1 ...
  unsigned sum = 0;
  for (std::size_t i = 0; i + 1 < n; ++i) {
    const unsigned v = static_cast<unsigned>(text[n - 2 - i] - '0');
    sum += (i % 2 == 0) ? 3 * v : v;
  }
  const unsigned check = (10 - sum % 10) % 10;
  return check == static_cast<unsigned>(text[n - 1] - '0');
}

bool IsValidUtf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const CodePoint c = DecodeAt(text, i);
    if (!c.valid) return false;
    i += c.len;
  }
  return true;
}

std::size_t Utf8Length(std::string_view text) {
  std::size_t count = 0;
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
  }
  return count;
}

std::size_t MaxTextLength(std::string_view field_full_name) {
  for (const FieldLimit& l : kFieldLimits) {
    if (l.field == field_full_name) return l.max_chars;
  }
  return kMaxFreeTextLength;
}

namespace {

// What CheckText needs to know of a field, worked out from its name once.
struct FieldFacts {
  std::size_t max_chars = kMaxFreeTextLength;
  bool loyalty_card = false;  // kLoyaltyCardNumberField
  bool gtin = false;          // kGtinField
  bool identifier = false;    // IsIdentifierField
};

FieldFacts FactsOf(std::string_view field_full_name) {
  FieldFacts f;
  f.max_chars = MaxTextLength(field_full_name);
  f.loyalty_card = field_full_name == kLoyaltyCardNumberField;
  f.gtin = field_full_name == kGtinField;
  f.identifier = IsIdentifierField(field_full_name);
  return f;
}

// Printable ASCII within the field's length with fewer digits than any
// card number has: passes every check below, found in one pass. Nearly all
// the text of a sale (SKUs, names, ids) is such; a loyalty card field has
// rules of its own and always takes the full path.
bool PlainAsciiWithoutPan(std::string_view value, const FieldFacts& field) {
  if (field.loyalty_card || value.size() > field.max_chars) return false;
  std::size_t digits = 0;
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c >= 0x7F) return false;
    digits += (c >= '0' && c <= '9') ? 1 : 0;
  }
  return digits < kMinPanDigits;
}

Status CheckTextWith(std::string_view value, const FieldFacts& field,
                     std::string_view path) {
  if (PlainAsciiWithoutPan(value, field)) return Status::Ok();
  if (!IsValidUtf8(value)) {
    return InvalidArgument(std::string(path) + ": not valid UTF-8");
  }
  for (std::size_t i = 0; i < value.size(); ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    if (c < 0x20 || c == 0x7F) {
      return InvalidArgument(std::string(path) + ": control character " +
                             HexByte(c) + " at byte " + std::to_string(i) +
                             " (none allowed)");
    }
  }
  const std::size_t length = Utf8Length(value);
  if (length > field.max_chars) {
    return InvalidArgument(std::string(path) + ": too long, " +
                           std::to_string(length) + " characters (max " +
                           std::to_string(field.max_chars) + ")");
  }
  if (field.loyalty_card) {
    if (length < kMinLoyaltyCardDigits || !AllDigits(value)) {
      return InvalidArgument(std::string(path) + ": must be " +
                             std::to_string(kMinLoyaltyCardDigits) + ".." +
                             std::to_string(kMaxLoyaltyCardDigits) + " digits");
    }
    return Status::Ok();
  }
  if (field.gtin && IsWellFormedGtin(value)) return Status::Ok();
  if (field.identifier ? ContainsPanInIdentifier(value) : ContainsPan(value)) {
    return InvalidArgument(
        std::string(path) +
        ": looks like a payment card number (13..19 digits passing the Luhn "
        "check); card data may not be sent");
  }
  return Status::Ok();
}

}  // namespace

Status CheckText(std::string_view value, std::string_view field_full_name,
                 std::string_view path) {
  return CheckTextWith(value, FactsOf(field_full_name), path);
}

namespace {

using google::protobuf::Descriptor;

// One step of the path to a field: its name, and its index when repeated.
struct PathPart {
  std::string_view name;
  int index = -1;
};

// "root.a.b[2].c": built only when a check fails.
std::string Render(std::string_view root, const std::vector<PathPart>& parts) {
  std::string out(root);
  for (const PathPart& part : parts) {
    out = Join(out, part.name);
    if (part.index >= 0) out += "[" + std::to_string(part.index) + "]";
  }
  return out;
}

// A field CheckFreeText visits: a string, or a message whose type can hold
// a string somewhere below it.
struct TextField {
  const FieldDescriptor* field = nullptr;
  bool message = false;
  FieldFacts facts;  // strings
};

// True when a string field can be reached from `d` (`seen`: types already
// looked at, so a recursive type ends the search).
bool MayHoldText(const Descriptor& d, std::vector<const Descriptor*>& seen) {
  if (std::find(seen.begin(), seen.end(), &d) != seen.end()) return false;
  seen.push_back(&d);
  for (int n = 0; n < d.field_count(); ++n) {
    const FieldDescriptor* f = d.field(n);
    if (f->type() == FieldDescriptor::TYPE_STRING) return true;
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
        MayHoldText(*f->message_type(), seen)) {
      return true;
    }
  }
  return false;
}

// The fields of `d` to visit, in declaration order (the protos declare them
// in field-number order), with each string's facts: worked out once per
// type and thread, since central runs this over every line of every batch.
// (Looking the facts up by name for each value, and walking into messages
// that hold no text, cost about a tenth of central's CPU in a catch-up.) Keyed
// by the descriptor: the generated types' descriptors live as long as the
// process.
const std::vector<TextField>& TextFieldsOf(const Descriptor& d) {
  thread_local std::unordered_map<const Descriptor*, std::vector<TextField>>
      cache;
  auto it = cache.find(&d);
  if (it != cache.end()) return it->second;
  std::vector<TextField> fields;
  for (int n = 0; n < d.field_count(); ++n) {
    const FieldDescriptor* f = d.field(n);
    if (f->type() == FieldDescriptor::TYPE_STRING) {
      fields.push_back(TextField{f, false, FactsOf(f->full_name())});
      continue;
    }
    std::vector<const Descriptor*> seen;
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
        MayHoldText(*f->message_type(), seen)) {
      fields.push_back(TextField{f, true, FieldFacts{}});
    }
  }
  return cache.emplace(&d, std::move(fields)).first->second;
}

// CheckTextWith without building the path: the common case passes, and a
// failure is checked again with the rendered path for its message.
Status CheckAt(std::string_view value, const FieldFacts& facts,
               std::string_view root, const std::vector<PathPart>& parts) {
  if (CheckTextWith(value, facts, "").ok()) return Status::Ok();
  return CheckTextWith(value, facts, Render(root, parts));
}

Status CheckString(const Message& msg, const Reflection& r, const TextField& t,
                   std::string_view root, std::vector<PathPart>& parts) {
  std::string scratch;
  if (!t.field->is_repeated()) {
    return CheckAt(r.GetStringReference(msg, t.field, &scratch), t.facts, root,
                   parts);
  }
  for (int i = 0; i < r.FieldSize(msg, t.field); ++i) {
    parts.back().index = i;
    STOREAGENT_RETURN_IF_ERROR(
        CheckAt(r.GetRepeatedStringReference(msg, t.field, i, &scratch),
                t.facts, root, parts));
  }
  return Status::Ok();
}

// Visits the set fields that can hold text, in declaration order, without
// listing them into a vector first.
Status Walk(const Message& msg, std::string_view root,
            std::vector<PathPart>& parts) {
  const Reflection& r = *msg.GetReflection();
  for (const TextField& t : TextFieldsOf(*msg.GetDescriptor())) {
    const FieldDescriptor* f = t.field;
    if (f->is_repeated() ? r.FieldSize(msg, f) == 0 : !r.HasField(msg, f)) {
      continue;
    }
    parts.push_back(PathPart{f->name(), -1});
    Status st = Status::Ok();
    if (!t.message) {
      st = CheckString(msg, r, t, root, parts);
    } else if (!f->is_repeated()) {
      st = Walk(r.GetMessage(msg, f), root, parts);
    } else {
      for (int i = 0; i < r.FieldSize(msg, f) && st.ok(); ++i) {
        parts.back().index = i;
        st = Walk(r.GetRepeatedMessage(msg, f, i), root, parts);
      }
    }
    parts.pop_back();
    STOREAGENT_RETURN_IF_ERROR(st);
  }
  return Status::Ok();
}

// The TextField of `d` with field number `number`, or nullptr.
const TextField* TextFieldNumbered(const std::vector<TextField>& fields,
                                   int number) {
  for (const TextField& t : fields) {
    if (t.field->number() == number) return &t;
  }
  return nullptr;
}

bool ReadVarint(const char*& p, const char* end, std::uint64_t* out) {
  std::uint64_t v = 0;
  for (int shift = 0; shift < 64 && p < end; shift += 7) {
    const auto byte = static_cast<unsigned char>(*p++);
    v |= static_cast<std::uint64_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) {
      *out = v;
      return true;
    }
  }
  return false;
}

// Nesting deeper than any of the protos goes: the walk decides.
constexpr int kMaxWireDepth = 32;

bool ScanWire(const Descriptor& d, std::string_view bytes, int depth) {
  if (depth > kMaxWireDepth) return false;
  const std::vector<TextField>& fields = TextFieldsOf(d);
  if (fields.empty()) return true;
  const char* p = bytes.data();
  const char* const end = p + bytes.size();
  while (p < end) {
    std::uint64_t tag = 0;
    if (!ReadVarint(p, end, &tag)) return false;
    std::uint64_t n = 0;
    switch (tag & 7) {
      case 0:  // varint
        if (!ReadVarint(p, end, &n)) return false;
        break;
      case 1:  // 64-bit
        if (end - p < 8) return false;
        p += 8;
        break;
      case 5:  // 32-bit
        if (end - p < 4) return false;
        p += 4;
        break;
      case 2: {  // length-delimited: a string, bytes or a message
        if (!ReadVarint(p, end, &n) ||
            n > static_cast<std::uint64_t>(end - p)) {
          return false;
        }
        const std::string_view value(p, static_cast<std::size_t>(n));
        p += n;
        const TextField* t =
            TextFieldNumbered(fields, static_cast<int>(tag >> 3));
        if (t == nullptr) break;  // not text, or unknown
        if (!t->message) {
          if (!CheckTextWith(value, t->facts, "").ok()) return false;
        } else if (!ScanWire(*t->field->message_type(), value, depth + 1)) {
          return false;
        }
        break;
      }
      default:  // groups, or not a wire type at all
        return false;
    }
  }
  return true;
}

}  // namespace

bool TextPassesOnTheWire(const Descriptor& type, std::string_view bytes) {
  return ScanWire(type, bytes, 0);
}

Status CheckFreeText(const Message& msg, std::string_view root) {
  std::vector<PathPart> parts;
  parts.reserve(8);
  return Walk(msg, root, parts);
}

}  // namespace storeagent::core
