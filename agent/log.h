// Structured log lines to stderr (journald picks them up).
//
// One line per event worth a human's attention: `ts=... level=info
// event=recorder.started store=S` in text form, or one JSON object per line.
// Callers never pass card numbers, loyalty card numbers or secrets.
// Thread-safe.
#ifndef STOREAGENT_AGENT_LOG_H_
#define STOREAGENT_AGENT_LOG_H_

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace storeagent::agent {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

using LogField = std::pair<std::string_view, std::string>;

// "debug" | "info" | "warn" | "error"; "json" | "text".
void ConfigureLog(std::string_view level, std::string_view format);

void Log(LogLevel level, std::string_view event,
         std::initializer_list<LogField> fields = {});

}  // namespace storeagent::agent

#endif  // STOREAGENT_AGENT_LOG_H_
