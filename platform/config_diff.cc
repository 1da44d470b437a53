#include "platform/config_diff.h"

#include <toml++/toml.h>

#include <algorithm>
#include <map>
#include <sstream>

namespace storeagent::platform {
namespace {

void Flatten(const toml::table& t, const std::string& prefix,
             std::map<std::string, std::string>& out) {
  for (const auto& [key, node] : t) {
    const std::string dotted = prefix.empty()
                                   ? std::string(key.str())
                                   : prefix + "." + std::string(key.str());
    if (const toml::table* sub = node.as_table()) {
      Flatten(*sub, dotted, out);
      continue;
    }
    std::ostringstream value;
    node.visit([&value](const auto& n) { value << n; });
    out[dotted] = value.str();
  }
}

Result<std::map<std::string, std::string>> Parse(std::string_view text) {
  try {
    toml::table root = toml::parse(text);
    std::map<std::string, std::string> out;
    Flatten(root, "", out);
    return out;
  } catch (const toml::parse_error& e) {
    return InvalidArgument("config: line " +
                           std::to_string(e.source().begin.line) + ": " +
                           std::string(e.description()));
  }
}

}  // namespace

Result<std::vector<std::string>> ChangedConfigKeys(std::string_view before,
                                                   std::string_view after) {
  Result<std::map<std::string, std::string>> a = Parse(before);
  if (!a.ok()) return a.status();
  Result<std::map<std::string, std::string>> b = Parse(after);
  if (!b.ok()) return b.status();
  std::vector<std::string> changed;
  for (const auto& [k, v] : *a) {
    auto it = b->find(k);
    if (it == b->end() || it->second != v) changed.push_back(k);
  }
  for (const auto& [k, v] : *b) {
    if (!a->count(k)) changed.push_back(k);
  }
  std::sort(changed.begin(), changed.end());
  return changed;
}

ReloadPlan PlanReload(const std::vector<std::string>& since_last_reload,
                      const std::vector<std::string>& since_start,
                      const std::function<bool(std::string_view)>& reloadable) {
  ReloadPlan plan;
  for (const std::string& k : since_last_reload) {
    if (reloadable(k)) plan.apply.push_back(k);
  }
  for (const std::string& k : since_start) {
    if (!reloadable(k)) plan.need_restart.push_back(k);
  }
  return plan;
}

Result<ReloadPlan> PlanReloadOfTexts(
    std::string_view start_text, std::string_view last_text,
    std::string_view text,
    const std::function<bool(std::string_view)>& reloadable) {
  Result<std::vector<std::string>> since_last =
      ChangedConfigKeys(last_text, text);
  if (!since_last.ok()) return since_last.status();
  Result<std::vector<std::string>> since_start =
      ChangedConfigKeys(start_text, text);
  if (!since_start.ok()) return since_start.status();
  return PlanReload(*since_last, *since_start, reloadable);
}

std::string JoinKeys(const std::vector<std::string>& keys) {
  if (keys.empty()) return "none";
  std::string out;
  for (const std::string& k : keys) {
    if (!out.empty()) out += ',';
    out += k;
  }
  return out;
}

}  // namespace storeagent::platform
