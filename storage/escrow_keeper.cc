#include "storage/escrow_keeper.h"

#include <algorithm>

#include "core/limits.h"
#include "core/stock_rule.h"
#include "storage/event_store.h"
#include "storage/stock_ledger.h"

namespace storeagent::storage {
namespace {

Status AppendEscrow(WriteContext& ctx, JournalStore& journal,
                    std::vector<v1::EscrowLine> lines, bool breach,
                    uint64_t cause_seq, const std::string& key) {
  if (lines.empty()) return Status::Ok();
  v1::JournalRecord r;
  r.mutable_client_key()->set_terminal_id(
      std::string(core::kAgentTerminalPrefix) + "escrow");
  r.mutable_client_key()->set_client_txn_id(key + (breach ? "-b" : "-g"));
  v1::EscrowChanged* e = r.mutable_stock()->mutable_escrow_changed();
  for (v1::EscrowLine& l : lines) *e->add_lines() = std::move(l);
  e->set_breach(breach);
  e->set_cause_seq(cause_seq);
  Result<AppendResult> a = AppendEvent(ctx, journal, std::move(r));
  return a.ok() ? Status::Ok() : a.status();
}

}  // namespace

int64_t EscrowTarget(const EscrowPolicy& policy, int64_t available) {
  if (policy.units <= 0 || available <= policy.low_water) return 0;
  return std::min(policy.units, available);
}

Status EscrowKeeper::AfterAppend(WriteContext& ctx,
                                 const v1::JournalRecord& record,
                                 const std::vector<std::string>& touched) {
  if (touched.empty()) return Status::Ok();
  std::set<std::string> reannounce;
  if (record.has_stock() && record.stock().has_hold_placed() &&
      record.stock().hold_placed().from_escrow()) {
    for (const v1::HoldLine& l : record.stock().hold_placed().lines()) {
      reannounce.insert(l.sku());
    }
  }
  return Check(ctx, touched, reannounce, record.seq(),
               "escrow-s" + std::to_string(record.seq()));
}

Status EscrowKeeper::Refresh(WriteContext& ctx,
                             const std::vector<std::string>& skus,
                             const std::string& key) {
  return Check(ctx, skus, {}, 0, "escrow-" + key);
}

Status EscrowKeeper::Check(WriteContext& ctx,
                           const std::vector<std::string>& skus,
                           const std::set<std::string>& reannounce,
                           uint64_t cause_seq, const std::string& key) {
  const std::set<std::string> unique(skus.begin(), skus.end());
  const std::vector<std::string> list(unique.begin(), unique.end());
  Result<std::vector<v1::SkuAvailability>> figures =
      StockLedger::Figures(ctx, list);
  if (!figures.ok()) return figures.status();
  std::vector<v1::EscrowLine> granted;
  std::vector<v1::EscrowLine> breached;
  for (const v1::SkuAvailability& f : *figures) {
    Result<int64_t> current = StockLedger::Escrow(ctx, f.sku());
    if (!current.ok()) return current.status();
    const int64_t target = EscrowTarget(policy_, f.available());
    const bool again = reannounce.count(f.sku()) != 0;
    if (target == *current && !again) continue;
    v1::EscrowLine line;
    line.set_sku(f.sku());
    line.set_quantity(target);
    if (!again && f.available() < *current) {
      breached.push_back(std::move(line));
    } else {
      granted.push_back(std::move(line));
    }
  }
  STOREAGENT_RETURN_IF_ERROR(
      AppendEscrow(ctx, journal_, std::move(breached), true, cause_seq, key));
  return AppendEscrow(ctx, journal_, std::move(granted), false, 0, key);
}

}  // namespace storeagent::storage
