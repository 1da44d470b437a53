#include "bench/kpi_load.h"

#include <utility>

#include "core/journal_chain.h"
#include "tests/unit/core/sample_events.h"

namespace storeagent::bench {
namespace {

constexpr int64_t kHourUs = 3'600'000'000;
constexpr int64_t kCommitDelayUs = 30'000'000;

const v1::Transaction& SaleTemplate(int lines) {
  static const std::vector<v1::Transaction> t = [] {
    std::vector<v1::Transaction> v;
    for (int i = 1; i <= 5; ++i) v.push_back(test::SampleSale(i));
    return v;
  }();
  return t[static_cast<size_t>(lines - 1)];
}

}  // namespace

StoreDayLoad::StoreDayLoad(std::string store_id)
    : store_id_(std::move(store_id)),
      rng_(static_cast<uint32_t>(std::hash<std::string>()(store_id_))),
      hash_(core::GenesisHash()) {}

v1::JournalRecord StoreDayLoad::Next(int64_t at_us) {
  v1::JournalRecord r;
  r.set_recorded_at_us(at_us);
  r.mutable_client_key()->set_terminal_id("t1");
  r.mutable_client_key()->set_client_txn_id("b" + std::to_string(++txn_));
  return r;
}

void StoreDayLoad::Add(std::vector<v1::JournalEntry>& out,
                       v1::JournalRecord r) {
  r.set_seq(++seq_);
  v1::JournalEntry e;
  e.set_prev_hash(hash_);
  hash_ = core::ChainHash(hash_, core::CanonicalBytes(r));
  e.set_hash(hash_);
  *e.mutable_record() = std::move(r);
  out.push_back(std::move(e));
}

void StoreDayLoad::MakeDay(int64_t start_us, int day, int events, int batch) {
  batches_.clear();
  const int64_t open = start_us + day * 24 * kHourUs + 8 * kHourUs;
  const int64_t step = 12 * kHourUs / events;
  std::vector<v1::JournalEntry> out;
  std::string hold_ref;
  auto flush = [&] {
    if (!out.empty()) batches_.push_back(std::move(out));
    out.clear();
  };
  for (int i = 0; i < events; ++i) {
    const int64_t at = open + i * step;
    v1::JournalRecord r = Next(at);
    const int pick = static_cast<int>(rng_() % 1000);
    if (i == events - 1) {
      *r.mutable_transaction() = test::SampleDailyClose();
    } else if (pick < 40 && !recent_sales_.empty()) {  // a return
      v1::Transaction t = test::SampleReturn();
      v1::OriginalTransaction* o = t.mutable_return_()->mutable_original();
      o->Clear();
      *o->mutable_client_key() = recent_sales_[rng_() % recent_sales_.size()];
      o->set_channel("store");
      *r.mutable_transaction() = std::move(t);
    } else if (pick < 50 && !recent_sales_.empty()) {  // a void
      v1::Transaction t = test::SamplePostVoid();
      *t.mutable_post_void()->mutable_original() = recent_sales_.back();
      recent_sales_.pop_back();
      *r.mutable_transaction() = std::move(t);
    } else if (pick < 60) {  // an enrolment
      v1::MemberEnrolled* e = r.mutable_loyalty()->mutable_enrolled();
      e->mutable_member()->set_pseudonym(std::string(32, 'p'));
      e->mutable_consent()->set_loyalty_program(true);
      e->set_sealed_contact(std::string(60, 's'));
    } else if (pick < 75) {  // a hold, then its pick, then its collection
      v1::StockEvent* s = r.mutable_stock();
      if (hold_ref.empty()) {
        hold_ref = "B" + std::to_string(txn_);
        v1::HoldPlaced* p = s->mutable_hold_placed();
        p->set_order_ref(hold_ref);
        p->set_channel("online");
        v1::HoldLine* l = p->add_lines();
        l->set_sku("SKU-00001");
        l->set_quantity(1);
        p->set_expires_at_us(at + 48 * kHourUs);
      } else if (pick < 68) {
        s->mutable_hold_picked()->set_order_ref(hold_ref);
      } else {
        s->mutable_hold_collected()->set_order_ref(hold_ref);
        hold_ref.clear();
      }
    } else {  // a sale
      v1::Transaction t = SaleTemplate(1 + static_cast<int>(rng_() % 5));
      v1::Sale* s = t.mutable_sale();
      s->set_channel(static_cast<v1::SalesChannel>(rng_() % 5));
      s->set_receipt_number("R" + std::to_string(txn_));
      if (rng_() % 10 < 4) {
        s->mutable_member()->set_pseudonym(std::string(32, 'm'));
      }
      if (recent_sales_.size() >= 64)
        recent_sales_.erase(recent_sales_.begin());
      recent_sales_.push_back(r.client_key());
      *r.mutable_transaction() = std::move(t);
    }
    Add(out, std::move(r));
    if (static_cast<int>(out.size()) >= batch) flush();
  }
  flush();
}

Result<int64_t> StoreDayLoad::IngestDay(central::CentralStore& store) {
  int64_t ingested = 0;
  for (const std::vector<v1::JournalEntry>& b : batches_) {
    const int64_t now = b.back().record().recorded_at_us() + kCommitDelayUs;
    Result<central::IngestResult> r = store.IngestBatch(store_id_, b, now);
    if (!r.ok()) return r.status();
    if (!r->quarantined.empty()) {
      return Internal("quarantined: " + r->quarantined[0].reason());
    }
    ingested += static_cast<int64_t>(b.size());
  }
  batches_.clear();
  return ingested;
}

}  // namespace storeagent::bench
