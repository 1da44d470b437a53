#include "platform/tcp_endpoint.h"

#include <boost/asio/ip/address.hpp>

namespace storeagent::platform {

Result<boost::asio::ip::tcp::endpoint> ParseListenEndpoint(
    const std::string& listen, std::string_view listen_key) {
  const size_t colon = listen.rfind(':');
  if (listen.empty() || colon == std::string::npos || colon == 0) {
    return InvalidArgument(std::string(listen_key) +
                           ": must be ADDRESS:PORT, got '" + listen + "'");
  }
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const std::string port_text = listen.substr(colon + 1);
  int port = -1;
  if (!port_text.empty() && port_text.size() <= 5 &&
      port_text.find_first_not_of("0123456789") == std::string::npos) {
    port = std::stoi(port_text);
  }
  if (port < 0 || port > 65535) {
    return InvalidArgument(std::string(listen_key) +
                           ": port must be 0..65535, got '" + port_text + "'");
  }
  boost::system::error_code ec;
  const boost::asio::ip::address address =
      boost::asio::ip::make_address(host, ec);
  if (ec) {
    return InvalidArgument(std::string(listen_key) + ": '" + host +
                           "' is not an IP address");
  }
  return boost::asio::ip::tcp::endpoint(address,
                                        static_cast<unsigned short>(port));
}

}  // namespace storeagent::platform
