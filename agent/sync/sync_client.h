// SyncClient: the agent's end of the sync stream to central
// (proto/storeagent/v1/sync.proto; docs/sync-protocol.md, agent side).
//
// One thread dials central (mutual TLS; plaintext only with
// sync.insecure for local tests), opens one bidi stream and runs the
// session: Hello -> Welcome (resume point, limits, re-seed), journal
// entries up in bounded batches with a window of unacknowledged batches,
// central events down (applied in one local transaction with their
// watermark, then acknowledged), hold requests answered through StockOps,
// stock digests at a consistent watermark, drill-downs. It wakes on every
// journal commit (a Writer commit listener) with a short poll as fallback.
// A stream that stops making progress is cancelled by the application
// watchdog; every ended stream is retried after a jittered exponential
// backoff. Blocking work (SQLite through the writer and the read pool)
// runs on this thread, never inside a gRPC reaction.
//
// Thread-safety: Start() and Stop() from one owner thread; health() from
// any thread.
#ifndef STOREAGENT_AGENT_SYNC_SYNC_CLIENT_H_
#define STOREAGENT_AGENT_SYNC_SYNC_CLIENT_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "agent/stock_ops.h"
#include "agent/sync/backoff.h"
#include "agent/sync/sync_gate.h"
#include "agent/sync/sync_health.h"
#include "agent/sync/sync_stream.h"
#include "platform/clock.h"
#include "platform/scheduler.h"
#include "platform/status.h"
#include "storage/agent_database.h"
#include "storage/escrow_keeper.h"

namespace storeagent::agent {

// Largest message either way on the sync channel (a batch is bounded far
// below it by sync.max_batch_bytes; digests and drill-downs are smaller).
inline constexpr int kSyncMaxMessageBytes = 16 << 20;

// The longest the TLS probe (agent/sync/tls_probe.h) may take after a
// connect failed before central answered.
inline constexpr std::chrono::milliseconds kTlsProbeTimeout{3000};

struct SyncClientOptions {
  std::string store_id;
  std::string agent_version = "0.0.0";
  // The raw Ed25519 public key the store signs its checkpoints with, sent
  // in every Hello for central to register ("" sends none).
  std::string store_public_key;
  // host:port of central.
  std::string central;
  // PEM files: central's CA (pinned: the only trusted root), this store's
  // certificate and key. Required unless `insecure`.
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  // Name expected in central's certificate, when not the host of `central`.
  std::string server_name;
  // Plaintext, for tests on loopback only. Never in production.
  bool insecure = false;

  uint32_t max_batch_events = 500;
  uint32_t max_batch_bytes = 1 << 20;
  uint32_t window = 4;
  std::chrono::seconds digest_interval{300};
  // A caught-up digest waits at least this long after the previous one.
  std::chrono::milliseconds digest_min_gap{10000};
  // Each entry sent up carries its stored bytes and, while this is true,
  // its record parsed too, for a 0.3 central (sync.send_parsed_records,
  // docs/sync-protocol.md "Record bytes").
  bool send_parsed_records = true;
  std::chrono::seconds stall_timeout{60};
  std::chrono::milliseconds keepalive{30000};
  // Fallback poll of the journal when no commit wake-up came.
  std::chrono::milliseconds poll_interval{1000};
  // A stopped client (central refused this store, or the TLS files were
  // unusable) tries again this often without a reload: head office may
  // have fixed its side, or the files were renewed in place.
  std::chrono::milliseconds stopped_retry{std::chrono::hours(1)};
  BackoffOptions backoff;
  // Called on the sync thread after a central batch that carried a price
  // list or promotion committed, and with the region each Welcome names
  // (the price book's, agent/price_book_holder.h). Either may be empty.
  std::function<void()> on_price_book_changed;
  std::function<void(const std::string& region)> on_region;
};

class SyncClient {
 public:
  // REQUIRES: every reference outlives this; `keeper` (may be null) is the
  // one installed as the journal's AfterAppend hook; `gate` (may be null)
  // is opened at the first Welcome. The waits between streams (the backoff)
  // and a stopped client's periodic retry are timers on `scheduler`; the
  // client's thread waits for them, for Stop() and for a reload.
  SyncClient(storage::AgentDatabase& db, StockOps& ops, const Clock& clock,
             Scheduler& scheduler, SyncClientOptions options,
             SyncHealth& health, SyncGate* gate = nullptr,
             storage::EscrowKeeper* keeper = nullptr,
             Backoff::Random random = {});
  ~SyncClient();
  SyncClient(const SyncClient&) = delete;
  SyncClient& operator=(const SyncClient&) = delete;

  // Checks and reads the TLS files and starts the thread. An empty file
  // name is an error naming the key; files that fail their check
  // (CheckSyncTlsFiles: expired, the wrong key, another store's) are not:
  // the client then starts stopped (health: stopped, last_error naming the
  // file, errors{tls_files}) and dials only after a ReloadTls that loads
  // good files.
  Status Start();
  // Ends the stream and joins. Idempotent.
  void Stop();
  // SIGHUP: reads the TLS files again (certificate rotation). All three
  // pass tls::CheckOwnTlsFiles (valid, the key the certificate's, naming
  // this store) or nothing changes (the error names the key). The next
  // connection uses them; the open stream, if any, carries on with the old
  // ones. It also resumes a client that stopped because central refused
  // this store (PERMISSION_DENIED), whatever the new files, once the client
  // holds a usable set (the new or earlier ones).
  Status ReloadTls(const std::string& ca_file, const std::string& cert_file,
                   const std::string& key_file);

 private:
  class Session;
  friend class Session;

  void Loop();
  // ReloadTls's check and swap of the three files.
  Status SwapTls(const std::string& ca_file, const std::string& cert_file,
                 const std::string& key_file);
  // The kSyncErrorReasons label for a session that ended with `*end`; may
  // rewrite `*end` with what a TLS probe found (who refused whom).
  std::string Explain(const Session& session, Status* end);
  // Dialling cannot help (central refused this store, or the TLS files
  // are unusable): records `why` (health.stopped, one error line `event`)
  // and waits for a reload, for options_.stopped_retry, or for Stop().
  // With `files_unusable`, a retry first re-checks the configured files
  // and waits again while they still fail. False when stopping.
  bool WaitForResume(const char* event, const std::string& why,
                     bool files_unusable);
  std::shared_ptr<grpc::Channel> MakeChannel() const;
  // What ended a Wait.
  enum class Woke { kStopping, kResume, kTime };
  // Waits until Stop(), a reload (`on_resume`: resume_ set) or `d` of the
  // scheduler's time, whichever comes first.
  Woke Wait(std::chrono::milliseconds d, bool on_resume);
  // Waits `d` or until Stop(); false when stopping.
  bool SleepFor(std::chrono::milliseconds d);

  storage::AgentDatabase& db_;
  StockOps& ops_;
  const Clock& clock_;
  Scheduler& scheduler_;
  SyncClientOptions options_;
  SyncHealth& health_;
  SyncGate* gate_;
  storage::EscrowKeeper* keeper_;
  Backoff backoff_;
  std::string ca_pem_;
  std::string cert_pem_;
  std::string key_pem_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  // Waits are numbered; the last one whose timer fired (guarded by mu_).
  std::atomic<uint64_t> next_wait_{0};
  uint64_t timed_out_ = 0;
  // A reload since the current session began; guarded by mu_.
  bool resume_ = false;
  // The client holds TLS files that passed their check (or is insecure);
  // guarded by mu_.
  bool tls_loaded_ = false;
  // Why the TLS files were unusable at Start() ("" when they were good);
  // written before the thread starts.
  std::string start_problem_;
  std::shared_ptr<SessionQueue> current_;  // guarded by mu_
  int commit_listener_ = 0;
  std::thread thread_;
};

}  // namespace storeagent::agent

#endif  // STOREAGENT_AGENT_SYNC_SYNC_CLIENT_H_
