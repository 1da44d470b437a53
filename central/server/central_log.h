// Structured log lines of storecentrald, on stderr: `ts=... level=info
// event=sync.hello store=S` in text form, or one JSON object per line. The
// same format as the agent's log (agent/log.h); central cannot link the
// agent, so this is its own small copy. Thread-safe.
#ifndef STOREAGENT_CENTRAL_SERVER_CENTRAL_LOG_H_
#define STOREAGENT_CENTRAL_SERVER_CENTRAL_LOG_H_

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace storeagent::central {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

using LogField = std::pair<std::string_view, std::string>;

// "debug" | "info" | "warn" | "error"; "json" | "text".
void ConfigureLog(std::string_view level, std::string_view format);

void Log(LogLevel level, std::string_view event,
         std::initializer_list<LogField> fields = {});

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_SERVER_CENTRAL_LOG_H_
