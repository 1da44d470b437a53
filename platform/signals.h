// Process signals for a daemon: block the stop/reload signals in every thread
// and wait for them synchronously in one place.
#ifndef STOREAGENT_PLATFORM_SIGNALS_H_
#define STOREAGENT_PLATFORM_SIGNALS_H_

namespace storeagent::platform {

enum class DaemonSignal { kStop, kReload };

// Blocks SIGTERM, SIGINT and SIGHUP in the calling thread and in every
// thread it starts afterwards. Call first thing in main().
void BlockDaemonSignals();

// Waits for one of them: SIGTERM/SIGINT -> kStop, SIGHUP -> kReload.
// REQUIRES: BlockDaemonSignals() was called.
DaemonSignal WaitForDaemonSignal();

}  // namespace storeagent::platform

#endif  // STOREAGENT_PLATFORM_SIGNALS_H_
