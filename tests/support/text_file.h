// Whole-file text helpers for tests: logs, configs, scrapes.
#ifndef STOREAGENT_TESTS_SUPPORT_TEXT_FILE_H_
#define STOREAGENT_TESTS_SUPPORT_TEXT_FILE_H_

#include <string>

namespace storeagent::testing {

// The file's contents; "" when it cannot be read.
std::string ReadText(const std::string& path);
// Replaces the file's contents with `text` (not durably: tests only).
void WriteText(const std::string& path, const std::string& text);

// In a Prometheus text exposition, the value of the sample `name` (with
// its labels, if any, as written: `a_total{kind="sale"}`); -1 if absent.
double MetricValue(const std::string& exposition, const std::string& name);

}  // namespace storeagent::testing

#endif  // STOREAGENT_TESTS_SUPPORT_TEXT_FILE_H_
