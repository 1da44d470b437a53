// Checks of "HOST:PORT" listen and dial addresses in settings files.
#ifndef STOREAGENT_PLATFORM_LISTEN_ADDRESS_H_
#define STOREAGENT_PLATFORM_LISTEN_ADDRESS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "platform/status.h"

namespace storeagent::platform {

// A listen setting as an IP literal and a port, for the HTTP listeners
// (the staff page, /metrics), which build their socket address from it.
struct ListenAddress {
  std::string ip;  // "127.0.0.1", "::1" (no brackets)
  uint16_t port = 0;
};

// "ADDRESS:PORT" or "[V6ADDRESS]:PORT", ADDRESS an IP literal, PORT
// 0..65535 (0 = any free port). INVALID_ARGUMENT naming `listen_key`.
Result<ListenAddress> ParseListenAddress(const std::string& listen,
                                         std::string_view listen_key);

// True for "127.a.b.c:PORT" (a literal IPv4 address in 127/8), "[::1]:PORT"
// and "localhost:PORT", PORT being one or more digits. A host name that
// merely starts with "127." is not loopback: DNS could point it anywhere.
bool IsLoopbackListen(const std::string& addr);

// Why a TCP listener on `addr` ("HOST:PORT", "[V6]:PORT", host names
// resolved) cannot be had: binds a socket the way a listener would, without
// SO_REUSEPORT, and returns the error ("Address already in use"), or ""
// when the bind succeeds (the reason lies elsewhere). For error messages
// after a listener failed to start; the probe socket is closed at once.
std::string ExplainBindFailure(const std::string& addr);

}  // namespace storeagent::platform

#endif  // STOREAGENT_PLATFORM_LISTEN_ADDRESS_H_
