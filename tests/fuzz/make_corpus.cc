// Writes the seed corpus of the fuzz targets whose inputs are protocol
// buffer messages, from the valid sample events the unit tests use:
//
//   fuzz_make_corpus tests/fuzz/corpus
//
// event_validation/  one JournalRecord of each kind
// central_ingest/    flags 0x03, then an EventBatch of chained entries
// central_apply/     flags 0x01, then a CentralBatch of each kind of event
//
// Built in the fuzz tree on request only (`cmake --build build/fuzz
// --target fuzz_make_corpus`); the files it wrote are committed. The other
// targets' seeds (CSV, JSON, TOML, requests) are written by hand.
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "core/journal_chain.h"
#include "storeagent/v1/sync.pb.h"
#include "tests/unit/core/price_samples.h"
#include "tests/unit/core/sample_events.h"

namespace storeagent::fuzz {
namespace {

constexpr int64_t kAtUs = 1'773'500'000'000'000;  // 2026-03-14

bool Write(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  return static_cast<bool>(out);
}

v1::JournalRecord Record(uint64_t seq, const std::string& txn) {
  v1::JournalRecord r;
  r.set_seq(seq);
  r.set_recorded_at_us(kAtUs + static_cast<int64_t>(seq));
  *r.mutable_client_key() = test::SampleClientKey(txn);
  return r;
}

struct Named {
  std::string name;
  v1::JournalRecord record;
};

std::vector<Named> Records() {
  std::vector<Named> out;
  uint64_t seq = 0;
  auto add = [&](const std::string& name) -> v1::JournalRecord& {
    ++seq;
    out.push_back({name, Record(seq, "txn-" + std::to_string(seq))});
    return out.back().record;
  };
  *add("sale").mutable_transaction() = test::SampleSale(5);
  *add("cash_sale").mutable_transaction() = test::SampleCashSale(3);
  *add("return").mutable_transaction() = test::SampleReturn();
  *add("post_void").mutable_transaction() = test::SamplePostVoid();
  *add("no_sale").mutable_transaction() = test::SampleNoSale();
  *add("daily_close").mutable_transaction() = test::SampleDailyClose();
  *add("identified").mutable_loyalty() = test::SampleIdentified();
  *add("enrolment").mutable_loyalty() = test::SampleEnrolment();
  *add("points_earned").mutable_loyalty() = test::SamplePointsEarned();
  *add("points_redeemed").mutable_loyalty() = test::SamplePointsRedeemed();
  *add("consent_changed").mutable_loyalty() = test::SampleConsentChanged();

  v1::StockMovement* m = add("movement").mutable_stock()->mutable_movement();
  m->set_reason(v1::StockMovement::REASON_SHRINK);
  m->set_note("broken in the back room");
  v1::StockDelta* d = m->add_lines();
  d->set_sku("SKU-MUG");
  d->set_quantity(-2);
  v1::StockCount* c = add("count").mutable_stock()->mutable_count();
  v1::CountLine* cl = c->add_lines();
  cl->set_sku("SKU-MUG");
  cl->set_counted(40);
  v1::HoldPlaced* h = add("hold_placed").mutable_stock()->mutable_hold_placed();
  h->set_order_ref("ORD-1");
  h->set_channel("online");
  h->set_expires_at_us(kAtUs + 3'600'000'000LL);
  v1::HoldLine* hl = h->add_lines();
  hl->set_sku("SKU-MUG");
  hl->set_quantity(2);
  add("hold_picked")
      .mutable_stock()
      ->mutable_hold_picked()
      ->set_order_ref("ORD-1");
  v1::HoldCancelled* hc =
      add("hold_cancelled").mutable_stock()->mutable_hold_cancelled();
  hc->set_order_ref("ORD-1");
  hc->set_reason("customer called");
  v1::EscrowChanged* e =
      add("escrow_changed").mutable_stock()->mutable_escrow_changed();
  v1::EscrowLine* el = e->add_lines();
  el->set_sku("SKU-MUG");
  el->set_quantity(2);
  v1::Product* p = add("catalog_imported")
                       .mutable_stock()
                       ->mutable_catalog_imported()
                       ->add_products();
  p->set_sku("SKU-MUG");
  p->set_name("Coffee mug");
  p->add_gtins("4006381333931");
  return out;
}

// The records as a batch of chained entries: with the 0.4 canonical_record
// and a record holding only its seq, or (`parsed`) the record alone.
std::string Batch(const std::vector<Named>& named, size_t from, size_t n,
                  bool parsed) {
  v1::EventBatch batch;
  std::string prev = core::GenesisHash();
  for (size_t i = 0; i < n && from + i < named.size(); ++i) {
    v1::JournalRecord r = named[from + i].record;
    r.set_seq(i + 1);
    const std::string canonical = core::CanonicalBytes(r);
    v1::JournalEntry* e = batch.add_entries();
    if (parsed) {
      *e->mutable_record() = r;
    } else {
      e->mutable_record()->set_seq(r.seq());
      e->set_canonical_record(canonical);
    }
    e->set_prev_hash(prev);
    e->set_hash(core::ChainHash(prev, canonical));
    prev = e->hash();
  }
  return std::string(1, '\x03') + batch.SerializeAsString();
}

std::vector<std::pair<std::string, v1::CentralEvent>> CentralEvents() {
  std::vector<std::pair<std::string, v1::CentralEvent>> out;
  auto add = [&](const std::string& name) -> v1::CentralEvent& {
    out.emplace_back(name, v1::CentralEvent());
    v1::CentralEvent& e = out.back().second;
    e.set_central_seq(4);
    e.set_created_at_us(kAtUs);
    e.set_reference("REF-" + name);
    return e;
  };
  v1::StockMovement* m = add("movement").mutable_movement();
  m->set_reason(v1::StockMovement::REASON_TRANSFER_IN);
  v1::StockDelta* d = m->add_lines();
  d->set_sku("SKU-TEA");
  d->set_quantity(12);
  v1::Product* p = add("catalog").mutable_catalog()->add_products();
  p->set_sku("SKU-PAN");
  p->set_name("Frying pan");
  p->add_gtins("4006381333931");
  p->mutable_price()->set_minor_units(2999);
  p->mutable_price()->set_currency("EUR");
  v1::PriceLine* pl = add("prices").mutable_prices()->add_lines();
  pl->set_sku("SKU-MUG");
  pl->mutable_price()->set_minor_units(1099);
  pl->mutable_price()->set_currency("EUR");
  v1::HoldPlaced* h = add("escrow_hold").mutable_escrow_hold()->mutable_hold();
  h->set_order_ref("ORD-ESC-2");
  h->set_channel("online");
  h->set_expires_at_us(kAtUs + 3'600'000'000LL);
  v1::HoldLine* hl = h->add_lines();
  hl->set_sku("SKU-TEA");
  hl->set_quantity(1);
  v1::CentralHoldCancel* hc = add("hold_cancel").mutable_hold_cancel();
  hc->set_order_ref("ORD-ESC-1");
  hc->set_reason("re-routed");
  *add("price_list").mutable_price_list() =
      test::MakeList("PL-1", 1, {{"SKU-MUG", 1199}, {"SKU-TEA", 450}});
  *add("promotion").mutable_promotion() =
      test::PercentOff("PR-1", {"SKU-MUG"}, 1000);
  return out;
}

}  // namespace
}  // namespace storeagent::fuzz

int main(int argc, char** argv) {
  using namespace storeagent;
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR (tests/fuzz/corpus)\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  bool ok = true;
  const std::vector<fuzz::Named> records = fuzz::Records();
  for (const fuzz::Named& n : records) {
    ok &= fuzz::Write(dir + "/event_validation/" + n.name + ".bin",
                      core::CanonicalBytes(n.record));
  }
  ok &= fuzz::Write(dir + "/central_ingest/till.bin",
                    fuzz::Batch(records, 0, 6, false));
  ok &= fuzz::Write(dir + "/central_ingest/till_parsed.bin",
                    fuzz::Batch(records, 0, 6, true));
  ok &= fuzz::Write(dir + "/central_ingest/loyalty.bin",
                    fuzz::Batch(records, 6, 5, false));
  ok &= fuzz::Write(dir + "/central_ingest/stock.bin",
                    fuzz::Batch(records, 11, 7, false));
  v1::CentralBatch all;
  for (const auto& [name, event] : fuzz::CentralEvents()) {
    v1::CentralBatch one;
    *one.add_events() = event;
    ok &= fuzz::Write(dir + "/central_apply/" + name + ".bin",
                      std::string(1, '\x01') + one.SerializeAsString());
    *all.add_events() = event;
  }
  ok &= fuzz::Write(dir + "/central_apply/all.bin",
                    std::string(1, '\x01') + all.SerializeAsString());
  if (!ok) {
    std::fprintf(stderr,
                 "%s: could not write every file under %s (do its "
                 "event_validation/, central_ingest/ and central_apply/ "
                 "folders exist?)\n",
                 argv[0], dir.c_str());
    return 1;
  }
  return 0;
}
