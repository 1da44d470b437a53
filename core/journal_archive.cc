#include "core/journal_archive.h"

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>

#include "core/day_totals.h"
#include "core/journal_chain.h"
#include "platform/crypto.h"

namespace storeagent::core {
namespace {

using Json = nlohmann::json;

// The longest line read: a record is at most a few hundred KiB as hex.
constexpr size_t kMaxArchiveLine = 8 << 20;

Status LineError(uint64_t line, const std::string& what) {
  return InvalidArgument("line " + std::to_string(line) + ": " + what);
}

// The string member `name` of `j`, or an error naming it.
Result<std::string> Text(const Json& j, const char* name, uint64_t line) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_string()) {
    return LineError(line, std::string(name) + ": missing or not a string");
  }
  return it->get<std::string>();
}

Result<std::string> Hex(const Json& j, const char* name, uint64_t line) {
  Result<std::string> t = Text(j, name, line);
  if (!t.ok()) return t;
  Result<std::string> raw = crypto::FromHex(*t);
  if (!raw.ok()) {
    return LineError(line, std::string(name) + ": " + raw.status().message());
  }
  return raw;
}

Result<uint64_t> Unsigned(const Json& j, const char* name, uint64_t line) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_number_unsigned()) {
    return LineError(line,
                     std::string(name) + ": missing or not a whole number");
  }
  return it->get<uint64_t>();
}

Result<ArchiveManifest> ParseManifest(const std::string& text) {
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return LineError(1, "the manifest is not a JSON object");
  }
  Result<std::string> format = Text(j, "format", 1);
  if (!format.ok()) return format.status();
  if (*format != kArchiveFormat) {
    return LineError(1, "format \"" + *format + "\", not \"" +
                            std::string(kArchiveFormat) + "\"");
  }
  ArchiveManifest m;
  for (auto [name, out] : {std::pair{"store_id", &m.store_id},
                           {"from_day", &m.from_day},
                           {"to_day", &m.to_day}}) {
    Result<std::string> v = Text(j, name, 1);
    if (!v.ok()) return v.status();
    *out = *v;
  }
  Result<uint64_t> first = Unsigned(j, "first_seq", 1);
  if (!first.ok()) return first.status();
  Result<uint64_t> last = Unsigned(j, "last_seq", 1);
  if (!last.ok()) return last.status();
  if (*first == 0 || *last < *first) {
    return LineError(1, "first_seq..last_seq is not a run of records");
  }
  m.first_seq = *first;
  m.last_seq = *last;
  auto created = j.find("created_at_us");
  if (created != j.end() && created->is_number_integer()) {
    m.created_at_us = created->get<int64_t>();
  }
  auto keys = j.find("public_keys");
  if (keys == j.end() || !keys->is_array()) {
    return LineError(1, "public_keys: missing or not a list");
  }
  for (const Json& k : *keys) {
    if (!k.is_object()) return LineError(1, "public_keys: not an object");
    Result<std::string> raw = Hex(k, "public_key", 1);
    if (!raw.ok()) return raw.status();
    if (raw->size() != crypto::kEd25519PublicKeyBytes) {
      return LineError(1, "public_keys: not a 32-byte Ed25519 key");
    }
    m.keys.emplace(crypto::KeyId(*raw), *raw);
  }
  return m;
}

// The figures a span's records add, comparable across the two builders.
std::string Figures(const v1::DayTotals& t) { return t.SerializeAsString(); }

}  // namespace

std::string ArchiveManifestLine(const ArchiveManifest& m) {
  Json keys = Json::array();
  for (const auto& [id, key] : m.keys) {
    keys.push_back({{"key_id", id}, {"public_key", crypto::ToHex(key)}});
  }
  Json j = {{"format", std::string(kArchiveFormat)},
            {"store_id", m.store_id},
            {"from_day", m.from_day},
            {"to_day", m.to_day},
            {"created_at_us", m.created_at_us},
            {"first_seq", m.first_seq},
            {"last_seq", m.last_seq},
            {"records", m.last_seq - m.first_seq + 1},
            {"public_keys", keys}};
  return j.dump() + "\n";
}

std::string ArchiveEntryLine(const ArchiveEntry& e) {
  Json j = {{"seq", e.seq},
            {"kind", e.kind},
            {"recorded_at_us", e.recorded_at_us},
            {"prev_hash", crypto::ToHex(e.prev_hash)},
            {"hash", crypto::ToHex(e.hash)},
            {"record", crypto::ToHex(e.canonical)}};
  return j.dump() + "\n";
}

Result<ArchiveReport> VerifyArchive(std::istream& in,
                                    const StoreKeys& trusted) {
  ArchiveReport report;
  std::string line;
  if (!std::getline(in, line)) {
    return InvalidArgument("line 1: the archive is empty");
  }
  Result<ArchiveManifest> manifest = ParseManifest(line);
  if (!manifest.ok()) return manifest.status();
  report.manifest = *manifest;
  const StoreKeys& keys = trusted.empty() ? report.manifest.keys : trusted;
  if (trusted.empty()) {
    report.notes.push_back(
        "signatures checked with the archive's own keys: this proves the "
        "records were not changed after they were signed, not who signed "
        "them; compare the key ids with head office's registry "
        "(storecentralctl state --store STORE) or pass --public-key");
  }
  auto fail = [&report](Status s, uint64_t seq) {
    report.problem = std::move(s);
    report.first_bad_seq = seq;
    return report;
  };

  std::optional<ChainVerifier> chain;
  // Client key -> record, for post-voids' originals.
  std::map<std::pair<std::string, std::string>, v1::JournalRecord> by_key;
  std::optional<DayTotalsBuilder> span;  // since the last checkpoint
  bool span_complete = true;
  uint64_t line_no = 1;
  uint64_t expected = report.manifest.first_seq;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.size() > kMaxArchiveLine) {
      return fail(LineError(line_no, "longer than any record"), expected);
    }
    Json j = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) {
      return fail(LineError(line_no, "not a JSON object"), expected);
    }
    Result<uint64_t> seq = Unsigned(j, "seq", line_no);
    Result<std::string> prev = Hex(j, "prev_hash", line_no);
    Result<std::string> hash = Hex(j, "hash", line_no);
    Result<std::string> bytes = Hex(j, "record", line_no);
    for (const Status& s :
         {seq.status(), prev.status(), hash.status(), bytes.status()}) {
      if (!s.ok()) return fail(s, expected);
    }
    if (!chain) chain.emplace(*seq - 1, *prev);
    if (Status s = chain->Next(*seq, *prev, *hash, *bytes); !s.ok()) {
      return fail(s, *seq);
    }
    if (*seq != expected) {
      return fail(DataLoss("seq " + std::to_string(*seq) + ": expected " +
                           std::to_string(expected) +
                           " (the manifest's run starts at " +
                           std::to_string(report.manifest.first_seq) + ")"),
                  *seq);
    }
    ++expected;
    ++report.records;
    v1::JournalRecord r;
    if (!r.ParseFromString(*bytes)) {
      return fail(
          DataLoss("seq " + std::to_string(*seq) + ": record does not parse"),
          *seq);
    }
    if (r.has_checkpoint()) {
      Result<v1::CheckpointStatement> st = VerifyCheckpoint(
          r.checkpoint(), *seq, *prev, report.manifest.store_id, keys);
      if (!st.ok()) return fail(st.status(), *seq);
      if (report.checkpoints_verified == 0) {
        report.signed_from_seq = report.manifest.first_seq;
      }
      ++report.checkpoints_verified;
      report.signed_through_seq = *seq - 1;
      if (span && span_complete) {
        if (Figures(span->Totals()) != Figures(st->grand_totals())) {
          return fail(
              DataLoss("seq " + std::to_string(*seq) +
                       ": the checkpoint's grand totals are not the previous "
                       "checkpoint's plus the records between (sales " +
                       std::to_string(st->grand_totals().sale_count()) +
                       " signed, " +
                       std::to_string(span->Totals().sale_count()) +
                       " recomputed)"),
              *seq);
        }
        ++report.totals_spans_checked;
      }
      span.emplace(DayTotalsBuilder::Perpetual(st->grand_totals()));
      span_complete = true;
      continue;
    }
    if (!r.has_transaction()) continue;
    const v1::ClientKey& k = r.client_key();
    const v1::JournalRecord* voided = nullptr;
    if (r.transaction().has_post_void()) {
      const v1::ClientKey& o = r.transaction().post_void().original();
      auto it = by_key.find({o.terminal_id(), o.client_txn_id()});
      if (it != by_key.end()) {
        voided = &it->second;
      } else if (span && span_complete) {
        span_complete = false;
        report.notes.push_back(
            "grand totals after seq " + std::to_string(*seq) +
            " not recomputed to the next checkpoint: the post-void there "
            "voids a transaction before the archive");
      }
    }
    if (span) span->Add(r, voided);
    if (r.transaction().has_sale() || r.transaction().has_return_()) {
      by_key.emplace(std::pair{k.terminal_id(), k.client_txn_id()},
                     std::move(r));
    }
  }
  if (in.bad()) return Internal("reading the archive failed");
  if (expected != report.manifest.last_seq + 1) {
    return fail(
        DataLoss("the archive ends at seq " + std::to_string(expected - 1) +
                 " but its manifest names " +
                 std::to_string(report.manifest.last_seq) +
                 ": it was cut short"),
        expected);
  }
  return report;
}

}  // namespace storeagent::core
