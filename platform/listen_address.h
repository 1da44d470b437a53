// Checks of "HOST:PORT" listen and dial addresses in settings files.
#ifndef STOREAGENT_PLATFORM_LISTEN_ADDRESS_H_
#define STOREAGENT_PLATFORM_LISTEN_ADDRESS_H_

#include <string>

namespace storeagent::platform {

// True for "127.a.b.c:PORT" (a literal IPv4 address in 127/8), "[::1]:PORT"
// and "localhost:PORT", PORT being one or more digits. A host name that
// merely starts with "127." is not loopback: DNS could point it anywhere.
bool IsLoopbackListen(const std::string& addr);

}  // namespace storeagent::platform

#endif  // STOREAGENT_PLATFORM_LISTEN_ADDRESS_H_
