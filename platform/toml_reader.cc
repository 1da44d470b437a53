#include "platform/toml_reader.h"

namespace storeagent::platform {

TomlSchema SchemaOf(std::span<const TomlKey> keys) {
  TomlSchema schema;
  for (const TomlKey& k : keys) {
    const size_t dot = k.dotted.find('.');
    schema[std::string(k.dotted.substr(0, dot))].insert(
        std::string(k.dotted.substr(dot + 1)));
  }
  return schema;
}

Result<TomlReader> TomlReader::Parse(std::string_view text,
                                     std::string origin) {
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    return InvalidArgument(origin + ":" +
                           std::to_string(e.source().begin.line) + ": " +
                           std::string(e.description()));
  }
  return TomlReader(std::move(root), std::move(origin));
}

Status TomlReader::Error(const std::string& key,
                         const std::string& what) const {
  return InvalidArgument(origin_ + ": " + key + ": " + what);
}

Status TomlReader::CheckKnown(const TomlSchema& schema) const {
  for (const auto& [table, node] : root_) {
    const std::string t(table.str());
    auto known = schema.find(t);
    if (known == schema.end()) return Error(t, "unknown table");
    const toml::table* tbl = node.as_table();
    if (tbl == nullptr) return Error(t, "must be a table [" + t + "]");
    for (const auto& [key, v] : *tbl) {
      const std::string k(key.str());
      if (!known->second.count(k)) return Error(t + "." + k, "unknown key");
    }
  }
  return Status::Ok();
}

Status TomlReader::String(const std::string& dotted, std::string* out) const {
  const toml::node* n = root_.at_path(dotted).node();
  if (n == nullptr) return Status::Ok();
  if (!n->is_string()) return Error(dotted, "must be a string");
  *out = n->as_string()->get();
  return Status::Ok();
}

Status TomlReader::Bool(const std::string& dotted, bool* out) const {
  const toml::node* n = root_.at_path(dotted).node();
  if (n == nullptr) return Status::Ok();
  if (!n->is_boolean()) return Error(dotted, "must be true or false");
  *out = n->as_boolean()->get();
  return Status::Ok();
}

Status TomlReader::Int64(const std::string& dotted, int64_t lo, int64_t hi,
                         int64_t* out, bool* present) const {
  *present = false;
  const toml::node* n = root_.at_path(dotted).node();
  if (n == nullptr) return Status::Ok();
  if (!n->is_integer()) return Error(dotted, "must be an integer");
  const int64_t v = n->as_integer()->get();
  if (v < lo || v > hi) {
    return Error(dotted, "must be " + std::to_string(lo) + ".." +
                             std::to_string(hi) + ", got " + std::to_string(v));
  }
  *out = v;
  *present = true;
  return Status::Ok();
}

Status TomlReader::OneOf(const std::string& dotted,
                         std::initializer_list<std::string_view> allowed,
                         std::string* out) const {
  std::string value = *out;
  STOREAGENT_RETURN_IF_ERROR(String(dotted, &value));
  std::string list;
  size_t i = 0;
  for (std::string_view a : allowed) {
    if (a == value) {
      *out = std::move(value);
      return Status::Ok();
    }
    if (i > 0) list += i + 1 == allowed.size() ? " or " : ", ";
    list += a;
    ++i;
  }
  return Error(dotted, "must be " + list);
}

}  // namespace storeagent::platform
