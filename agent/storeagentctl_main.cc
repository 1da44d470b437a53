// storeagentctl: the operator's and store staff's command line for
// storeagentd.
#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>

#include <CLI/CLI.hpp>
#include <cstdio>

#include "agent/config.h"
#include "core/event_kind.h"
#include "platform/crypto.h"
#include "storage/journal_verify.h"
#include "storage/sqlite_handle.h"
#include "storeagent/v1/pos.grpc.pb.h"

namespace sa = storeagent;
namespace v1 = storeagent::v1;

namespace {

struct Target {
  std::string config_path = "/etc/storeagent/agent.toml";
  std::string socket;
  std::string address;
  std::string db;
  int deadline_ms = 5000;
};

int Fail(const std::string& what) {
  std::fprintf(stderr, "storeagentctl: %s\n", what.c_str());
  return 1;
}

// Fills socket/db from the config file when they were not given.
void ResolveFromConfig(Target& t) {
  if (!t.socket.empty() && !t.db.empty()) return;
  sa::Result<sa::agent::AgentConfig> c =
      sa::agent::LoadAgentConfig(t.config_path, /*load_secrets=*/false);
  if (!c.ok()) return;
  if (t.socket.empty()) t.socket = c->pos_socket;
  if (t.db.empty()) t.db = c->DatabasePath();
}

std::unique_ptr<v1::PosService::Stub> Connect(Target& t) {
  ResolveFromConfig(t);
  std::string target = !t.address.empty()  ? t.address
                       : !t.socket.empty() ? "unix:" + t.socket
                                           : "unix:/run/storeagent/pos.sock";
  return v1::PosService::NewStub(
      grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));
}

void SetDeadline(grpc::ClientContext& ctx, const Target& t) {
  ctx.set_deadline(
      gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC),
                   gpr_time_from_millis(t.deadline_ms, GPR_TIMESPAN)));
}

std::string RpcError(const grpc::Status& s) {
  return "agent answered " + std::to_string(s.error_code()) + ": " +
         s.error_message();
}

std::string ShortHash(const std::string& h) {
  return sa::crypto::ToHex(h).substr(0, 16);
}

int Status(Target& t) {
  auto stub = Connect(t);
  grpc::ClientContext ctx;
  SetDeadline(ctx, t);
  v1::JournalStatus st;
  grpc::Status s = stub->GetJournalStatus(&ctx, {}, &st);
  if (!s.ok()) return Fail(RpcError(s));
  std::printf("store           %s\n", st.store_id().c_str());
  std::printf("journal head    seq %llu\n",
              static_cast<unsigned long long>(st.head_seq()));
  std::printf("head hash       %s\n",
              sa::crypto::ToHex(st.head_hash()).c_str());
  std::printf("first seq       %llu\n",
              static_cast<unsigned long long>(st.first_seq()));
  std::printf("pending writes  %llu\n",
              static_cast<unsigned long long>(st.pending_writes()));
  std::printf("database size   %llu bytes\n",
              static_cast<unsigned long long>(st.db_bytes()));
  return 0;
}

int Verify(Target& t) {
  ResolveFromConfig(t);
  if (t.db.empty()) return Fail("no database: pass --db or --config");
  sa::storage::ConnectionOptions opts;
  opts.read_only = true;
  sa::Result<sa::storage::Connection> conn =
      sa::storage::Connection::Open(t.db, opts);
  if (!conn.ok()) return Fail(conn.status().ToString());
  sa::Result<sa::storage::VerifyReport> r =
      sa::storage::VerifyJournal(conn->get());
  if (!r.ok()) return Fail(r.status().ToString());
  if (!r->problem.ok()) {
    std::printf("BROKEN at seq %llu: %s\n",
                static_cast<unsigned long long>(r->first_bad_seq),
                r->problem.message().c_str());
    std::printf("good up to seq %llu (%llu entries checked)\n",
                static_cast<unsigned long long>(r->good_seq),
                static_cast<unsigned long long>(r->entries_checked));
    return 3;
  }
  std::printf("ok: %llu entries, seq %llu..%llu, head hash %s\n",
              static_cast<unsigned long long>(r->entries_checked),
              static_cast<unsigned long long>(r->anchor_seq + 1),
              static_cast<unsigned long long>(r->good_seq),
              sa::crypto::ToHex(r->good_hash).c_str());
  return 0;
}

int Tail(Target& t, int n, bool json) {
  auto stub = Connect(t);
  v1::JournalStatus st;
  {
    grpc::ClientContext ctx;
    SetDeadline(ctx, t);
    grpc::Status s = stub->GetJournalStatus(&ctx, {}, &st);
    if (!s.ok()) return Fail(RpcError(s));
  }
  uint64_t from = st.head_seq() >= static_cast<uint64_t>(n)
                      ? st.head_seq() - static_cast<uint64_t>(n) + 1
                      : 1;
  from = std::max(from, st.first_seq());
  for (uint64_t seq = from; seq <= st.head_seq() && seq != 0; ++seq) {
    grpc::ClientContext ctx;
    SetDeadline(ctx, t);
    v1::GetEventRequest req;
    req.set_seq(seq);
    v1::JournalEntry e;
    grpc::Status s = stub->GetEvent(&ctx, req, &e);
    if (!s.ok()) return Fail(RpcError(s));
    if (json) {
      std::string out;
      google::protobuf::util::JsonPrintOptions o;
      if (!google::protobuf::util::MessageToJsonString(e, &out, o).ok()) {
        return Fail("seq " + std::to_string(seq) + ": cannot print as JSON");
      }
      std::printf("%s\n", out.c_str());
      continue;
    }
    const v1::JournalRecord& r = e.record();
    std::printf(
        "seq=%llu kind=%s terminal=%s txn=%s recorded_at_us=%lld "
        "hash=%s\n",
        static_cast<unsigned long long>(r.seq()),
        std::string(sa::core::EventKind(r)).c_str(),
        r.client_key().terminal_id().c_str(),
        r.client_key().client_txn_id().c_str(),
        static_cast<long long>(r.recorded_at_us()),
        ShortHash(e.hash()).c_str());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app(
      "storeagentctl - look into a running storeagentd and check its "
      "journal.",
      "storeagentctl");
  Target t;
  app.add_option("-c,--config", t.config_path,
                 "agent configuration (for the socket and database paths)")
      ->capture_default_str();
  app.add_option("--socket", t.socket, "agent's POS Unix socket");
  app.add_option("--address", t.address,
                 "agent's loopback TCP address instead of the socket");
  app.add_option("--deadline-ms", t.deadline_ms, "per-call deadline")
      ->capture_default_str();
  app.require_subcommand(1);

  CLI::App* status = app.add_subcommand(
      "status", "journal head seq and hash, pending writes, database size");
  CLI::App* journal = app.add_subcommand("journal", "the event journal");
  journal->require_subcommand(1);
  CLI::App* verify = journal->add_subcommand(
      "verify",
      "walk the hash chain from the anchor to the head; name the first bad "
      "seq (exit 3) or print ok. Reads the database file directly, so it "
      "works with the agent stopped");
  verify->add_option("--db", t.db, "database file (default: from --config)");
  int n = 10;
  bool json = false;
  CLI::App* tail = journal->add_subcommand("tail", "print the newest events");
  tail->add_option("-n,--count", n, "how many")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  tail->add_flag("--json", json, "one JSON object per event");

  CLI11_PARSE(app, argc, argv);
  if (*status) return Status(t);
  if (*verify) return Verify(t);
  if (*tail) return Tail(t, n, json);
  return 1;
}
