// Structured log lines to stderr (journald picks them up), for storeagentd,
// storecentrald and the tools alike.
//
// One line per event worth a human's attention: `ts=... level=info
// event=recorder.started store=S` in text form, or one JSON object per line
// (`{"event":...,"level":...,"ts":...,<fields>}`). When stderr is the
// systemd journal (JOURNAL_STREAM names stderr's device and inode, as
// systemd sets it for a unit's output), each line starts with the syslog
// priority, `<7>` debug, `<6>` info, `<4>` warn, `<3>` error, which journald
// takes as the entry's priority (so `journalctl -p warning` filters) and
// strips from the text. A text value that is
// empty or holds a space, tab, newline, '"' or '=' is written in double
// quotes, with '"' and '\\' escaped and newlines as \n. Nothing is redacted
// here: callers never pass card numbers, loyalty card numbers or secrets.
// Thread-safe: each line is written whole, under a lock.
#ifndef STOREAGENT_PLATFORM_LOG_H_
#define STOREAGENT_PLATFORM_LOG_H_

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace storeagent {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

using LogField = std::pair<std::string_view, std::string>;

// "debug" | "info" | "warn" | "error" (anything else: info); "json" |
// "text" (anything else: text). Before any call: info, text, no priority
// prefix. Also looks again at whether stderr is the journal.
void ConfigureLog(std::string_view level, std::string_view format);

// True when `journal_stream` ("DEVICE:INODE", the JOURNAL_STREAM variable)
// names the file open on `fd`.
bool IsJournalStream(const char* journal_stream, int fd);

void Log(LogLevel level, std::string_view event,
         std::initializer_list<LogField> fields = {});

}  // namespace storeagent

#endif  // STOREAGENT_PLATFORM_LOG_H_
