#include "platform/signals.h"

#include <csignal>

namespace storeagent::platform {
namespace {

sigset_t DaemonSet() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  return set;
}

}  // namespace

void BlockDaemonSignals() {
  sigset_t set = DaemonSet();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  // A POS client that vanishes mid-call must not kill the daemon.
  std::signal(SIGPIPE, SIG_IGN);
}

DaemonSignal WaitForDaemonSignal() {
  sigset_t set = DaemonSet();
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (sig == SIGHUP) return DaemonSignal::kReload;
    return DaemonSignal::kStop;
  }
}

}  // namespace storeagent::platform
