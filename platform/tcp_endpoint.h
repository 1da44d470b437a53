// "ADDRESS:PORT" listen settings as Asio endpoints, for the HTTP listeners
// (the staff page, /metrics).
#ifndef STOREAGENT_PLATFORM_TCP_ENDPOINT_H_
#define STOREAGENT_PLATFORM_TCP_ENDPOINT_H_

#include <boost/asio/ip/tcp.hpp>
#include <string>
#include <string_view>

#include "platform/status.h"

namespace storeagent::platform {

// "ADDRESS:PORT" or "[V6ADDRESS]:PORT", ADDRESS an IP literal, PORT
// 0..65535 (0 = any free port). INVALID_ARGUMENT naming `listen_key`.
Result<boost::asio::ip::tcp::endpoint> ParseListenEndpoint(
    const std::string& listen, std::string_view listen_key);

}  // namespace storeagent::platform

#endif  // STOREAGENT_PLATFORM_TCP_ENDPOINT_H_
