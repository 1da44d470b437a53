// NotifyListener: plays systemd's side of sd_notify for tests. Binds a Unix
// datagram socket (a path, or an abstract "@name") and hands back each
// message the daemon sends.
#ifndef STOREAGENT_TESTS_UNIT_DAEMON_NOTIFY_LISTENER_H_
#define STOREAGENT_TESTS_UNIT_DAEMON_NOTIFY_LISTENER_H_

#include <optional>
#include <string>

namespace storeagent::testing {

class NotifyListener {
 public:
  // `address` is what NOTIFY_SOCKET will hold: "/path" or "@abstract".
  explicit NotifyListener(std::string address);
  ~NotifyListener();
  NotifyListener(const NotifyListener&) = delete;
  NotifyListener& operator=(const NotifyListener&) = delete;

  bool ok() const { return fd_ >= 0; }
  const std::string& address() const { return address_; }

  // The next message, or nullopt when none came within `timeout_ms`.
  std::optional<std::string> Receive(int timeout_ms);

 private:
  std::string address_;
  int fd_ = -1;
};

}  // namespace storeagent::testing

#endif  // STOREAGENT_TESTS_UNIT_DAEMON_NOTIFY_LISTENER_H_
