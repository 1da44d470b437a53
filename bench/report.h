// Report: how a benchmark speaks. Figures go to stdout, one line each,
// `NAME VALUE UNIT`; progress and errors go to stderr. A benchmark that
// reported an error exits non-zero (Failed()).
#ifndef STOREAGENT_BENCH_REPORT_H_
#define STOREAGENT_BENCH_REPORT_H_

#include <string>

namespace storeagent::bench {

// One figure, `value` printed with `decimals` decimals.
void Figure(const char* name, double value, int decimals, const char* unit);

// "#  <seconds since the first call> s  <what>" on stderr.
void Progress(const std::string& what);

// "<program>: <phase>: <why>" on stderr; marks the run failed.
void Error(const std::string& phase, const std::string& why);
bool Failed();

// a / b, or 0 when b is not positive.
double Ratio(double a, double b);

}  // namespace storeagent::bench

#endif  // STOREAGENT_BENCH_REPORT_H_
