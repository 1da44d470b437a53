// storeagentctl status, journal verify, journal tail.
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "agent/config.h"
#include "agent/ctl/commands.h"
#include "core/event_kind.h"
#include "core/journal_archive.h"
#include "platform/clock.h"
#include "platform/crypto.h"
#include "platform/fs.h"
#include "platform/signing.h"
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

struct VerifyOptions {
  std::string key_file;                  // "": the config's
  std::vector<std::string> public_keys;  // hex, each also trusted
};

unsigned long long U(uint64_t v) { return static_cast<unsigned long long>(v); }

// The store id the database was claimed for.
Result<std::string> StoreIdOf(sqlite3* db) {
  Result<storage::Statement> s = storage::Statement::Prepare(
      db, "SELECT value FROM meta WHERE key = 'store_id'");
  if (!s.ok()) return s.status();
  Result<bool> row = s->Step();
  if (!row.ok()) return row.status();
  if (!*row) return NotFound("the database names no store");
  return std::string(s->ColumnText(0));
}

// The keys checkpoints are checked with: the store's own key file (its
// public half) and every --public-key. "" in `why_none` when there is one.
core::StoreKeys TrustedKeys(Target& t, const VerifyOptions& o,
                            std::string* why_none, int* usage_error) {
  core::StoreKeys keys;
  for (const std::string& hex : o.public_keys) {
    Result<std::string> raw = crypto::FromHex(hex);
    if (!raw.ok() || raw->size() != crypto::kEd25519PublicKeyBytes) {
      Fail("--public-key " + hex +
           ": not 64 hex digits of an Ed25519 public key");
      *usage_error = kExitUsage;
      return {};
    }
    keys.emplace(crypto::KeyId(*raw), *raw);
  }
  std::string path = o.key_file;
  if (path.empty()) {
    Result<agent::AgentConfig> c =
        agent::LoadAgentConfig(t.config_path, /*load_secrets=*/false);
    if (c.ok()) path = c->SigningKeyPath();
  }
  if (!path.empty()) {
    Result<crypto::SigningKey> key = crypto::SigningKey::Load(path);
    if (key.ok()) {
      keys.emplace(key->key_id(), key->public_key());
    } else if (keys.empty()) {
      *why_none = key.status().message();
    }
  } else if (keys.empty()) {
    *why_none = "no key file (pass --key or --config) and no --public-key";
  }
  return keys;
}

int Verify(Target& t, const VerifyOptions& o) {
  ResolveFromConfig(t);
  if (t.db.empty()) return Fail("no database: pass --db or --config");
  storage::ConnectionOptions opts;
  opts.read_only = true;
  Result<storage::Connection> conn = storage::Connection::Open(t.db, opts);
  if (!conn.ok()) return Fail(conn.status().ToString());
  std::string why_none;
  int usage_error = 0;
  storage::SignatureKeys keys;
  keys.keys = TrustedKeys(t, o, &why_none, &usage_error);
  if (usage_error != 0) return usage_error;
  Result<std::string> store = StoreIdOf(conn->get());
  if (!store.ok()) return Fail(store.status().ToString());
  keys.store_id = *store;
  const bool signed_check = why_none.empty();
  Result<storage::VerifyReport> r =
      storage::VerifyJournal(conn->get(), signed_check ? &keys : nullptr);
  if (!r.ok()) return Fail(r.status().ToString());
  if (!r->problem.ok()) {
    std::printf("BROKEN at seq %llu: %s\n", U(r->first_bad_seq),
                r->problem.message().c_str());
    if (r->unsigned_from != 0) {
      std::printf(
          "first unsigned break: records %llu..%llu are not what checkpoint "
          "%llu signed\n",
          U(r->unsigned_from), U(r->first_bad_seq - 1), U(r->first_bad_seq));
    }
    std::printf("good up to seq %llu (%llu entries checked)\n", U(r->good_seq),
                U(r->entries_checked));
    return kExitVerifyFailed;
  }
  std::printf("ok: %llu entries, seq %llu..%llu, head hash %s\n",
              U(r->entries_checked), U(r->anchor_seq + 1), U(r->good_seq),
              crypto::ToHex(r->good_hash).c_str());
  if (!signed_check) {
    std::printf("signatures NOT checked: %s\n", why_none.c_str());
  } else {
    std::printf(
        "signatures: %llu checkpoints verified; signed through seq %llu, "
        "%llu records after it not yet signed\n",
        U(r->checkpoints_verified), U(r->signed_through_seq),
        U(r->good_seq - std::min(r->good_seq, r->signed_through_seq)));
  }
  return kExitOk;
}

struct ExportOptions {
  std::string from_day;
  std::string to_day;
  std::string file;
  VerifyOptions keys;
};

// The first (`first`) or last seq of a record of `kind` at or before
// (at or after) `seq`; 0 when there is none.
Result<uint64_t> CheckpointNear(sqlite3* db, uint64_t seq, bool before) {
  Result<storage::Statement> s = storage::Statement::Prepare(
      db, before ? "SELECT seq FROM journal WHERE seq <= ?1 AND "
                   "kind = 'checkpoint' ORDER BY seq DESC LIMIT 1"
                 : "SELECT seq FROM journal WHERE seq >= ?1 AND "
                   "kind = 'checkpoint' ORDER BY seq LIMIT 1");
  if (!s.ok()) return s.status();
  s->BindInt(1, static_cast<int64_t>(seq));
  Result<bool> row = s->Step();
  if (!row.ok()) return row.status();
  return *row ? static_cast<uint64_t>(s->ColumnInt(0)) : 0;
}

bool IsDay(const std::string& d) {
  if (d.size() != 10 || d[4] != '-' || d[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (d[i] < '0' || d[i] > '9') return false;
  }
  return true;
}

int Export(Target& t, const ExportOptions& o) {
  for (const auto& [name, day] :
       {std::pair{"--from", o.from_day}, {"--to", o.to_day}}) {
    if (!IsDay(day)) {
      Fail(std::string(name) + " " + day + ": not a YYYY-MM-DD date");
      return kExitUsage;
    }
  }
  if (o.to_day < o.from_day) {
    Fail("--to " + o.to_day + " is before --from " + o.from_day);
    return kExitUsage;
  }
  ResolveFromConfig(t);
  if (t.db.empty()) return Fail("no database: pass --db or --config");
  std::string why_none;
  int usage_error = 0;
  core::StoreKeys keys = TrustedKeys(t, o.keys, &why_none, &usage_error);
  if (usage_error != 0) return usage_error;
  if (keys.empty()) return Fail("no public key for the manifest: " + why_none);
  storage::ConnectionOptions opts;
  opts.read_only = true;
  Result<storage::Connection> conn = storage::Connection::Open(t.db, opts);
  if (!conn.ok()) return Fail(conn.status().ToString());
  sqlite3* db = conn->get();
  // One read transaction: the run and its rows are one snapshot.
  if (Status b = conn->Exec("BEGIN"); !b.ok()) return Fail(b.ToString());
  Result<std::string> store = StoreIdOf(db);
  if (!store.ok()) return Fail(store.status().ToString());
  Result<storage::Statement> span = storage::Statement::Prepare(
      db,
      "SELECT min(seq), max(seq) FROM journal WHERE business_day BETWEEN ?1 "
      "AND ?2");
  if (!span.ok()) return Fail(span.status().ToString());
  span->BindText(1, o.from_day);
  span->BindText(2, o.to_day);
  Result<bool> row = span->Step();
  if (!row.ok()) return Fail(row.status().ToString());
  if (!*row || span->ColumnIsNull(0)) {
    return Fail(
        "the journal holds no transaction of a business day from " +
        o.from_day + " to " + o.to_day +
        " (older days may have been pruned: docs/operations.md, \"Retention "
        "and pruning\")");
  }
  uint64_t first = static_cast<uint64_t>(span->ColumnInt(0));
  uint64_t last = static_cast<uint64_t>(span->ColumnInt(1));
  span = storage::Statement::Prepare(db, "SELECT 1");
  Result<uint64_t> before = CheckpointNear(db, first, true);
  Result<uint64_t> after = CheckpointNear(db, last, false);
  if (!before.ok()) return Fail(before.status().ToString());
  if (!after.ok()) return Fail(after.status().ToString());
  if (*before != 0) first = *before;
  if (*after != 0) last = *after;

  core::ArchiveManifest m;
  m.store_id = *store;
  m.from_day = o.from_day;
  m.to_day = o.to_day;
  m.created_at_us = SystemClock().NowMicros();
  m.first_seq = first;
  m.last_seq = last;
  m.keys = keys;
  std::string out = core::ArchiveManifestLine(m);
  Result<storage::Statement> rows = storage::Statement::Prepare(
      db,
      "SELECT seq, kind, recorded_at_us, prev_hash, hash, record FROM journal "
      "WHERE seq BETWEEN ?1 AND ?2 ORDER BY seq");
  if (!rows.ok()) return Fail(rows.status().ToString());
  rows->BindInt(1, static_cast<int64_t>(first));
  rows->BindInt(2, static_cast<int64_t>(last));
  uint64_t n = 0;
  for (;;) {
    Result<bool> r = rows->Step();
    if (!r.ok()) return Fail(r.status().ToString());
    if (!*r) break;
    core::ArchiveEntry e;
    e.seq = static_cast<uint64_t>(rows->ColumnInt(0));
    e.kind = std::string(rows->ColumnText(1));
    e.recorded_at_us = rows->ColumnInt(2);
    e.prev_hash = std::string(rows->ColumnBlob(3));
    e.hash = std::string(rows->ColumnBlob(4));
    e.canonical = std::string(rows->ColumnBlob(5));
    out += core::ArchiveEntryLine(e);
    ++n;
  }
  if (n != last - first + 1) {
    return Fail("the journal is missing rows between seq " +
                std::to_string(first) + " and " + std::to_string(last) +
                " (run `storeagentctl journal verify`)");
  }
  if (Status w = fs::WriteFileDurably(o.file, out, 0640); !w.ok()) {
    return Fail(w.ToString());
  }
  std::printf(
      "wrote %s: store %s, business days %s..%s, seq %llu..%llu (%llu "
      "records%s)\n",
      o.file.c_str(), m.store_id.c_str(), o.from_day.c_str(), o.to_day.c_str(),
      U(first), U(last), U(n),
      *after == 0 ? "; the last ones not yet signed by a checkpoint" : "");
  return kExitOk;
}

int ShowKey(Target& t, const std::string& key_file) {
  std::string path = key_file;
  if (path.empty()) {
    Result<agent::AgentConfig> c =
        agent::LoadAgentConfig(t.config_path, /*load_secrets=*/false);
    if (!c.ok()) return Fail("config: " + c.status().message());
    path = c->SigningKeyPath();
  }
  Result<crypto::SigningKey> key = crypto::SigningKey::Load(path);
  if (!key.ok()) return Fail(key.status().message());
  std::printf("key id      %s\npublic key  %s\n", key->key_id().c_str(),
              crypto::ToHex(key->public_key()).c_str());
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
      "walk the hash chain from the anchor to the head and check every "
      "signed checkpoint; name the first bad seq and the first unsigned "
      "break (exit 3) or print ok. Reads the database file directly, so it "
      "works with the agent stopped");
  auto vo = std::make_shared<VerifyOptions>();
  verify->add_option("--db", t.db, "database file (default: from --config)");
  verify->add_option("--key", vo->key_file,
                     "the store's signing key file, for its public half "
                     "(default: checkpoint.key_file from --config)");
  verify->add_option("--public-key", vo->public_keys,
                     "also trust this Ed25519 public key (64 hex digits, as "
                     "`journal key` or central prints it); repeatable: a "
                     "re-seeded store's older checkpoints were signed by "
                     "its previous key");
  verify->callback([&, vo] { action = [&, vo] { return Verify(t, *vo); }; });

  auto eo = std::make_shared<ExportOptions>();
  CLI::App* exp = journal->add_subcommand(
      "export",
      "write the journal of the business days --from..--to to FILE as an "
      "auditor's archive (records, their stored bytes and hashes, the "
      "checkpoints around them and the store's public key: "
      "docs/security.md), for storeagent-verify. Reads the database file "
      "directly");
  exp->add_option("--from", eo->from_day, "first business day, YYYY-MM-DD")
      ->required();
  exp->add_option("--to", eo->to_day, "last business day, YYYY-MM-DD")
      ->required();
  exp->add_option("FILE", eo->file, "the archive to write")->required();
  exp->add_option("--db", t.db, "database file (default: from --config)");
  exp->add_option("--key", eo->keys.key_file,
                  "the signing key file whose public half goes in the "
                  "manifest (default: checkpoint.key_file from --config)");
  exp->add_option("--public-key", eo->keys.public_keys,
                  "another public key for the manifest (64 hex digits); "
                  "repeatable");
  exp->callback([&, eo] { action = [&, eo] { return Export(t, *eo); }; });

  auto key_file = std::make_shared<std::string>();
  CLI::App* key = journal->add_subcommand(
      "key",
      "print the store's checkpoint key id and public key (never the "
      "private key)");
  key->add_option("--key", *key_file,
                  "the signing key file (default: checkpoint.key_file from "
                  "--config)");
  key->callback([&, key_file] {
    action = [&, key_file] { return ShowKey(t, *key_file); };
  });

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
