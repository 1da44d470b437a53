// The systemd notification protocol (sd_notify(3)) without libsystemd: tell
// the service manager that the daemon is ready, alive (watchdog) or stopping.
//
// A message is a few "KEY=value" lines sent as one datagram to the Unix
// socket named by $NOTIFY_SOCKET: a path ("/run/systemd/notify") or an
// abstract name ("@name"). Outside systemd the variable is unset and every
// call is a no-op. The environment is left as it is, so later calls (the
// watchdog's pings) still find the socket.
//
// Thread-safe: each call uses its own socket and reads the environment only.
#ifndef STOREAGENT_PLATFORM_SD_NOTIFY_H_
#define STOREAGENT_PLATFORM_SD_NOTIFY_H_

#include <chrono>
#include <optional>
#include <string_view>

#include "platform/status.h"

namespace storeagent::platform {

// Sends `state` (e.g. "READY=1\nSTATUS=recording") to $NOTIFY_SOCKET.
// OK without sending when NOTIFY_SOCKET is unset or empty. INVALID_ARGUMENT
// when it is neither an absolute path nor "@name", or too long for a Unix
// socket address; otherwise the errno of socket(2)/sendto(2), naming the
// socket.
Status Notify(std::string_view state);

// The watchdog timeout systemd expects pings within (WatchdogSec=), from
// $WATCHDOG_USEC. nullopt when unset, not a positive integer, or when
// $WATCHDOG_PID is set and names another process (the variables were
// inherited, not meant for us). Ping at least every half of it.
std::optional<std::chrono::microseconds> WatchdogInterval();

}  // namespace storeagent::platform

#endif  // STOREAGENT_PLATFORM_SD_NOTIFY_H_
