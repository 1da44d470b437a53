#include "proto/wire_check.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

#include <map>
#include <string>
#include <vector>

#include "core/text_checks.h"

namespace storeagent::rpc {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::internal::WireFormatLite;
using google::protobuf::io::CodedInputStream;

constexpr int kMaxDepth = 64;

// What went wrong, and where: a field path (UTF-8) or a byte offset.
struct Finding {
  bool malformed = false;  // else: invalid UTF-8 at `path`
  std::string what;
  std::string path;
  size_t at = 0;
};

std::string Step(const std::string& path, const FieldDescriptor& f, int index) {
  std::string out = path.empty() ? f.name() : path + "." + f.name();
  if (index >= 0) out += "[" + std::to_string(index) + "]";
  return out;
}

// Walks one message of `type` held by `bytes` (which starts at byte `base`
// of the request). Returns false with `out` set on the first problem.
bool Walk(std::string_view bytes, size_t base, const Descriptor& type,
          const std::string& path, int depth, Finding* out) {
  if (depth > kMaxDepth) {
    *out = {true, "nested more than 64 levels", "", base};
    return false;
  }
  CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.data()),
                      static_cast<int>(bytes.size()));
  std::map<int, int> seen;  // field number -> occurrences so far
  while (true) {
    const size_t tag_at = base + static_cast<size_t>(in.CurrentPosition());
    const uint32_t tag = in.ReadTag();
    if (tag == 0) {
      if (in.CurrentPosition() == static_cast<int>(bytes.size())) return true;
      *out = {true, "invalid field tag", "", tag_at};
      return false;
    }
    const int number = static_cast<int>(WireFormatLite::GetTagFieldNumber(tag));
    const auto wire = WireFormatLite::GetTagWireType(tag);
    const FieldDescriptor* f = type.FindFieldByNumber(number);
    const bool delimited = wire == WireFormatLite::WIRETYPE_LENGTH_DELIMITED;
    const bool text = f != nullptr && f->type() == FieldDescriptor::TYPE_STRING;
    const bool message =
        f != nullptr && f->type() == FieldDescriptor::TYPE_MESSAGE;
    if (!delimited || (!text && !message)) {
      if (!WireFormatLite::SkipField(&in, tag)) {
        *out = {true, "truncated or malformed field " + std::to_string(number),
                "", tag_at};
        return false;
      }
      continue;
    }
    uint32_t length = 0;
    if (!in.ReadVarint32(&length)) {
      *out = {true, "bad length of field " + std::to_string(number), "",
              tag_at};
      return false;
    }
    const size_t start = static_cast<size_t>(in.CurrentPosition());
    if (length > bytes.size() - start) {
      *out = {true, "field " + std::to_string(number) + " runs past the end",
              "", tag_at};
      return false;
    }
    const std::string_view value = bytes.substr(start, length);
    const int index = f->is_repeated() ? seen[number]++ : -1;
    if (text && !core::IsValidUtf8(value)) {
      *out = {false, "not valid UTF-8", Step(path, *f, index), 0};
      return false;
    }
    if (message && !Walk(value, base + start, *f->message_type(),
                         Step(path, *f, index), depth + 1, out)) {
      return false;
    }
    in.Skip(static_cast<int>(length));
  }
}

}  // namespace

Status CheckWire(std::string_view bytes, const Descriptor& type) {
  if (bytes.size() > static_cast<size_t>(INT32_MAX)) {
    return InvalidArgument("request: larger than 2 GiB");
  }
  Finding f;
  if (Walk(bytes, 0, type, "", 0, &f)) return Status::Ok();
  if (!f.malformed) return InvalidArgument(f.path + ": " + f.what);
  return InvalidArgument("request: not a " + type.full_name() +
                         " protocol buffer message (" + f.what + " at byte " +
                         std::to_string(f.at) + ")");
}

}  // namespace storeagent::rpc
