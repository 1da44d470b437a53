// The acceptor of StaffHttpServer (internal to agent/http): accepts on its
// own strand, starts an HttpSession per connection (each on a new strand),
// answers 503 beyond the connection limit, and closes everything on Stop.
#ifndef STOREAGENT_AGENT_HTTP_HTTP_LISTENER_H_
#define STOREAGENT_AGENT_HTTP_HTTP_LISTENER_H_

#include <memory>

#include "agent/http/http_session.h"
#include "platform/status.h"

namespace storeagent::agent {

class HttpListener : public std::enable_shared_from_this<HttpListener> {
 public:
  // Opens, binds and listens; UNAVAILABLE naming the address otherwise.
  static Result<std::shared_ptr<HttpListener>> Bind(
      boost::asio::io_context& ioc,
      const boost::asio::ip::tcp::endpoint& endpoint, HttpSessionHost& host);

  int port() const { return port_; }
  void Run();
  // Stops accepting and closes every connection. On the I/O thread.
  void Close();

 private:
  HttpListener(boost::asio::io_context& ioc, HttpSessionHost& host);
  void Accept();
  void OnAccept(boost::beast::error_code ec,
                boost::asio::ip::tcp::socket socket);
  // Answers 503 to a connection over the limit and closes it.
  void Refuse(boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer backoff_;
  HttpSessionHost& host_;
  std::shared_ptr<SessionRegistry> sessions_;
  int port_ = 0;
  bool closed_ = false;
};

}  // namespace storeagent::agent

#endif  // STOREAGENT_AGENT_HTTP_HTTP_LISTENER_H_
