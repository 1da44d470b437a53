// storeagent-verify: checks an auditor's archive (`storeagentctl journal
// export`) offline, without the agent, its database or central, and says
// what it proves (docs/security.md, "The auditor's archive").
//
//   storeagent-verify [--public-key HEX]... FILE
//
// Exit 0: the archive is intact; 3: it is not (what and where on stdout);
// 2: bad usage or an unreadable file.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "core/journal_archive.h"
#include "platform/cli.h"
#include "platform/crypto.h"
#include "platform/signing.h"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitUsage = 2;
constexpr int kExitBroken = 3;

unsigned long long U(uint64_t v) { return static_cast<unsigned long long>(v); }

}  // namespace

int main(int argc, char** argv) {
  namespace core = storeagent::core;
  namespace crypto = storeagent::crypto;
  CLI::App app(
      "storeagent-verify - check a store's journal archive offline: every "
      "record's hash and chain, every signed checkpoint, and the grand "
      "totals between checkpoints; print what it proves.",
      "storeagent-verify");
  std::string file;
  std::vector<std::string> public_keys;
  app.add_option("FILE", file, "the archive (storeagentctl journal export)")
      ->required();
  app.add_option("--public-key", public_keys,
                 "trust only this Ed25519 public key (64 hex digits, from "
                 "head office's registry) instead of the archive's own; "
                 "repeatable");
  storeagent::platform::AddVersionFlag(app);
  if (std::optional<int> code =
          storeagent::platform::ParseCommandLine(app, argc, argv)) {
    return *code;
  }
  core::StoreKeys trusted;
  for (const std::string& hex : public_keys) {
    storeagent::Result<std::string> raw = crypto::FromHex(hex);
    if (!raw.ok() || raw->size() != crypto::kEd25519PublicKeyBytes) {
      std::fprintf(stderr,
                   "storeagent-verify: --public-key %s: not 64 hex digits of "
                   "an Ed25519 public key\n",
                   hex.c_str());
      return kExitUsage;
    }
    trusted.emplace(crypto::KeyId(*raw), *raw);
  }
  std::ifstream in(file);
  if (!in) {
    std::fprintf(stderr, "storeagent-verify: %s: cannot open\n", file.c_str());
    return kExitUsage;
  }
  storeagent::Result<core::ArchiveReport> r = core::VerifyArchive(in, trusted);
  if (!r.ok()) {
    std::printf("NOT AN ARCHIVE: %s\n", r.status().message().c_str());
    return kExitBroken;
  }
  const core::ArchiveManifest& m = r->manifest;
  std::printf("archive   store %s, business days %s..%s, seq %llu..%llu\n",
              m.store_id.c_str(), m.from_day.c_str(), m.to_day.c_str(),
              U(m.first_seq), U(m.last_seq));
  for (const auto& [id, key] : trusted.empty() ? m.keys : trusted) {
    std::printf("key       %s (%s)\n", id.c_str(),
                trusted.empty() ? "the archive's own" : "given");
  }
  if (!r->problem.ok()) {
    std::printf("BROKEN at seq %llu: %s\n", U(r->first_bad_seq),
                r->problem.message().c_str());
    std::printf("%llu records checked before it\n", U(r->records));
    return kExitBroken;
  }
  std::printf(
      "proves    records %llu..%llu are one unbroken hash chain, each "
      "record's bytes as stored\n",
      U(m.first_seq), U(m.last_seq));
  if (r->checkpoints_verified > 0) {
    std::printf(
        "proves    records %llu..%llu are what the store signed (%llu "
        "checkpoints verified)\n",
        U(r->signed_from_seq), U(r->signed_through_seq),
        U(r->checkpoints_verified));
  } else {
    std::printf("NOT       no checkpoint in the archive: nothing is signed\n");
  }
  if (r->signed_through_seq < m.last_seq && r->checkpoints_verified > 0) {
    std::printf("NOT       records %llu..%llu are not signed yet\n",
                U(r->signed_through_seq + 1), U(m.last_seq));
  }
  std::printf(
      "proves    the grand totals of %llu spans between checkpoints equal "
      "the records between them\n",
      U(r->totals_spans_checked));
  for (const std::string& note : r->notes) {
    std::printf("note      %s\n", note.c_str());
  }
  std::printf(
      "NOT       a certification: see docs/security.md, \"What signing does "
      "not catch\"\n");
  return kExitOk;
}
