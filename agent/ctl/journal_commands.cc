// storeagentctl status, journal verify, journal tail.
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cstdio>
#include <memory>

#include "agent/ctl/commands.h"
#include "core/event_kind.h"
#include "platform/crypto.h"
#include "storage/journal_verify.h"
#include "storage/sqlite_handle.h"
#include "storeagent/v1/pos.grpc.pb.h"

namespace storeagent::ctl {
namespace {

std::string ShortHash(const std::string& h) {
  return crypto::ToHex(h).substr(0, 16);
}

int ShowStatus(Target& t) {
  auto stub = v1::PosService::NewStub(OpenChannel(t));
  grpc::ClientContext ctx;
  SetDeadline(ctx, t);
  v1::GetJournalStatusResponse st;
  grpc::Status s = stub->GetJournalStatus(&ctx, {}, &st);
  if (!s.ok()) return Fail(RpcError(s));
  std::printf("store           %s\n", st.store_id().c_str());
  std::printf("journal head    seq %llu\n",
              static_cast<unsigned long long>(st.head_seq()));
  std::printf("head hash       %s\n", crypto::ToHex(st.head_hash()).c_str());
  std::printf("first seq       %llu\n",
              static_cast<unsigned long long>(st.first_seq()));
  std::printf("pending writes  %llu\n",
              static_cast<unsigned long long>(st.pending_writes()));
  std::printf("database size   %llu bytes\n",
              static_cast<unsigned long long>(st.db_bytes()));
  PrintSyncStatusLines(t);
  return kExitOk;
}

int Verify(Target& t) {
  ResolveFromConfig(t);
  if (t.db.empty()) return Fail("no database: pass --db or --config");
  storage::ConnectionOptions opts;
  opts.read_only = true;
  Result<storage::Connection> conn = storage::Connection::Open(t.db, opts);
  if (!conn.ok()) return Fail(conn.status().ToString());
  Result<storage::VerifyReport> r = storage::VerifyJournal(conn->get());
  if (!r.ok()) return Fail(r.status().ToString());
  if (!r->problem.ok()) {
    std::printf("BROKEN at seq %llu: %s\n",
                static_cast<unsigned long long>(r->first_bad_seq),
                r->problem.message().c_str());
    std::printf("good up to seq %llu (%llu entries checked)\n",
                static_cast<unsigned long long>(r->good_seq),
                static_cast<unsigned long long>(r->entries_checked));
    return kExitVerifyFailed;
  }
  std::printf("ok: %llu entries, seq %llu..%llu, head hash %s\n",
              static_cast<unsigned long long>(r->entries_checked),
              static_cast<unsigned long long>(r->anchor_seq + 1),
              static_cast<unsigned long long>(r->good_seq),
              crypto::ToHex(r->good_hash).c_str());
  return kExitOk;
}

int Tail(Target& t, int n, bool json) {
  auto stub = v1::PosService::NewStub(OpenChannel(t));
  v1::GetJournalStatusResponse st;
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
    v1::GetEventResponse e;
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
        std::string(core::EventKind(r)).c_str(),
        r.client_key().terminal_id().c_str(),
        r.client_key().client_txn_id().c_str(),
        static_cast<long long>(r.recorded_at_us()),
        ShortHash(e.hash()).c_str());
  }
  return kExitOk;
}

struct TailOptions {
  int n = 10;
  bool json = false;
};

}  // namespace

void AddJournalCommands(CLI::App& app, Target& t, Action& action) {
  CLI::App* status = app.add_subcommand(
      "status",
      "journal head seq and hash, pending writes, database size, sync");
  status->callback([&] { action = [&] { return ShowStatus(t); }; });

  CLI::App* journal = app.add_subcommand("journal", "the event journal");
  journal->require_subcommand(1);
  CLI::App* verify = journal->add_subcommand(
      "verify",
      "walk the hash chain from the anchor to the head; name the first bad "
      "seq (exit 3) or print ok. Reads the database file directly, so it "
      "works with the agent stopped");
  verify->add_option("--db", t.db, "database file (default: from --config)");
  verify->callback([&] { action = [&] { return Verify(t); }; });

  auto opts = std::make_shared<TailOptions>();
  CLI::App* tail = journal->add_subcommand("tail", "print the newest events");
  tail->add_option("-n,--count", opts->n, "how many")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  tail->add_flag("--json", opts->json, "one JSON object per event");
  tail->callback([&, opts] {
    action = [&, opts] { return Tail(t, opts->n, opts->json); };
  });
}

}  // namespace storeagent::ctl
