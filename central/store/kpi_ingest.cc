#include "central/store/kpi_ingest.h"

#include <functional>
#include <map>
#include <utility>

#include "central/store/kpi_index.h"
#include "central/store/kpi_rules.h"
#include "central/store/price_deviation_store.h"

namespace storeagent::central::kpi {
namespace {

// One batch of one store: the events in order, then the writes.
class BatchKpis {
 public:
  BatchKpis(SqlTx& tx, const std::string& store_id, int64_t now_us,
            bool pending_returns)
      : tx_(tx),
        store_(store_id),
        now_(now_us),
        index_(tx, store_id, pending_returns) {}

  // The rows of earlier batches the entries will need, in one read.
  Status Prefetch(const IngestPlan& plan) { return index_.Prefetch(plan); }

  Status Entry(const PlannedEntry& p) {
    deltas_.AddBucket(store_, IsoWeek(now_), kFreshness,
                      BucketOf(now_ - p.recorded_at_us), 1);
    if (!p.quarantine_reason.empty()) return Status::Ok();
    const v1::JournalRecord& r = p.entry->record();
    if (r.has_transaction()) return Transaction(r);
    if (r.has_loyalty() && r.loyalty().has_enrolled()) {
      deltas_.Add(store_, IsoWeek(r.recorded_at_us()), kEnrolments, 1);
    }
    if (r.has_stock()) return Hold(r);
    return Status::Ok();
  }

  Status Finish() {
    STOREAGENT_RETURN_IF_ERROR(ResolvePending());
    std::vector<SqlRows> rows;
    index_.AppendWrites(rows);
    deviations_.AppendTo(rows);
    deltas_.AppendTo(rows);
    return tx_.ExecRows(rows);
  }

 private:
  Status Transaction(const v1::JournalRecord& r) {
    const v1::Transaction& t = r.transaction();
    const std::string week = IsoWeek(r.recorded_at_us());
    if (t.has_sale()) {
      // Its price check (price_deviation_store.h): one comparison when the
      // sale was not checked.
      if (t.sale().price_book_central_seq() != 0) {
        deviations_.AddSale(store_, r, deltas_);
      }
      SaleRow s = SaleRow::Of(store_, r);
      CountSale(s, +1);
      index_.AddSale(std::move(s));
    } else if (t.has_return_()) {
      ReturnRow ret = ReturnRow::Of(store_, r);
      deltas_.Add(store_, week, kReturnsCount, 1);
      deltas_.Add(store_, week, kReturnsValue, ret.total_minor);
      STOREAGENT_RETURN_IF_ERROR(Resolve(ret));
      index_.AddReturn(std::move(ret));
    } else if (t.has_post_void()) {
      return Void(t.post_void().original());
    } else if (t.has_daily_close()) {
      deltas_.Add(store_, week, kCloses, 1);
      if (t.daily_close().differences_size() > 0) {
        deltas_.Add(store_, week, kClosesDiscrepant, 1);
      }
    }
    return Status::Ok();
  }

  void CountSale(const SaleRow& s, int64_t sign) {
    const std::string week = IsoWeek(s.recorded_at_us);
    deltas_.Add(s.store_id, week, kSalesCount, sign);
    deltas_.Add(s.store_id, week, kSalesValue, sign * s.total_minor);
    deltas_.Add(s.store_id, week, ChannelValueCounter(s.channel),
                sign * s.total_minor);
    deltas_.Add(s.store_id, week, kSalesLines, sign * s.lines);
    if (s.member) deltas_.Add(s.store_id, week, kSalesMember, sign);
  }

  // The return's refund-cycle sample: `bucket` (< 0: none) added with
  // `sign`.
  void CountCycle(const ReturnRow& r, int bucket, int64_t sign) {
    if (bucket < 0) return;
    deltas_.AddBucket(r.store_id, IsoWeek(r.recorded_at_us), kRefundCycle,
                      bucket, sign);
  }

  // Looks the original up (docs/kpis.md, "Original resolution"); found:
  // resolved with its sample, else pending with the POS's sold_at_us.
  Status Resolve(ReturnRow& r) {
    Result<std::optional<Original>> o = FindOriginal(r);
    if (!o.ok()) return o.status();
    int bucket = -1;
    if (o->has_value()) {
      r.resolved = true;
      r.res = **o;
      bucket = BucketOf(r.recorded_at_us - r.res.sold_at_us);
    } else if (r.orig_sold_at_us > 0) {
      bucket = BucketOf(r.recorded_at_us - r.orig_sold_at_us);
    }
    if (r.voided) bucket = -1;  // a voided return counts no sample
    CountCycle(r, r.cycle_bucket, -1);
    r.cycle_bucket = bucket;
    CountCycle(r, bucket, +1);
    return Status::Ok();
  }

  Result<std::optional<Original>> FindOriginal(const ReturnRow& r) {
    if (!r.orig_terminal.empty() && !r.orig_txn.empty()) {
      Result<std::optional<SaleRow>> s =
          index_.SaleByKey(r.orig_store, r.orig_terminal, r.orig_txn);
      if (!s.ok()) return s.status();
      if (s->has_value()) return std::optional(Original::OfSale(**s));
    }
    if (r.orig_reference.empty()) return std::optional<Original>();
    Result<std::optional<SaleRow>> s = index_.SaleByReceipt(
        r.orig_store, r.orig_reference, r.orig_business_day, r.recorded_at_us);
    if (!s.ok()) return s.status();
    if (s->has_value()) return std::optional(Original::OfSale(**s));
    if (!IsOnlineChannel(r.orig_channel)) return std::optional<Original>();
    Result<std::optional<HoldRow>> h = index_.CollectedHold(r.orig_reference);
    if (!h.ok()) return h.status();
    if (h->has_value()) {
      Original o;
      o.store_id = (*h)->store_id;
      o.order_ref = (*h)->order_ref;
      o.sold_at_us = (*h)->finished_at_us;
      o.channel = r.orig_channel;
      o.business_day = r.orig_business_day;
      return std::optional(std::move(o));
    }
    s = index_.SaleByOrder(r.orig_reference);
    if (!s.ok()) return s.status();
    if (s->has_value()) return std::optional(Original::OfSale(**s));
    return std::optional<Original>();
  }

  // Pending returns (this batch's and earlier ones) whose original may have
  // come with this batch.
  Status ResolvePending() {
    if (!index_.has_new_originals()) return Status::Ok();
    Result<std::vector<ReturnRow*>> pending = index_.PendingReturns();
    if (!pending.ok()) return pending.status();
    for (ReturnRow* r : *pending) {
      STOREAGENT_RETURN_IF_ERROR(Resolve(*r));
    }
    return Status::Ok();
  }

  Status Void(const v1::ClientKey& key) {
    Result<std::optional<SaleRow*>> s =
        index_.SaleToVoid(key.terminal_id(), key.client_txn_id());
    if (!s.ok()) return s.status();
    if (s->has_value()) {
      CountSale(***s, -1);
      return Status::Ok();
    }
    Result<std::optional<ReturnRow*>> r =
        index_.ReturnToVoid(key.terminal_id(), key.client_txn_id());
    if (!r.ok()) return r.status();
    if (!r->has_value()) return Status::Ok();
    ReturnRow& ret = ***r;
    const std::string week = IsoWeek(ret.recorded_at_us);
    deltas_.Add(store_, week, kReturnsCount, -1);
    deltas_.Add(store_, week, kReturnsValue, -ret.total_minor);
    CountCycle(ret, ret.cycle_bucket, -1);
    ret.cycle_bucket = -1;
    return Status::Ok();
  }

  Status Hold(const v1::JournalRecord& rec) {
    const v1::StockEvent& e = rec.stock();
    const int64_t at = rec.recorded_at_us();
    const std::string week = IsoWeek(at);
    std::string order_ref;
    switch (e.kind_case()) {
      case v1::StockEvent::kHoldPlaced: {
        HoldRow h;
        h.store_id = store_;
        h.order_ref = e.hold_placed().order_ref();
        h.placed_at_us = at;
        h.state = "held";
        index_.PutHold(std::move(h));
        return Status::Ok();
      }
      case v1::StockEvent::kHoldPicked:
        order_ref = e.hold_picked().order_ref();
        break;
      case v1::StockEvent::kHoldCollected:
        order_ref = e.hold_collected().order_ref();
        break;
      case v1::StockEvent::kHoldShortPicked:
        order_ref = e.hold_short_picked().order_ref();
        break;
      case v1::StockEvent::kHoldCancelled:
        order_ref = e.hold_cancelled().order_ref();
        break;
      case v1::StockEvent::kHoldExpired:
        order_ref = e.hold_expired().order_ref();
        break;
      default:
        return Status::Ok();
    }
    Result<HoldRow*> got = index_.HoldForUpdate(order_ref);
    if (!got.ok()) return got.status();
    HoldRow& h = **got;
    const bool open = h.state == "held" || h.state == "picked" || h.state == "";
    if (e.has_hold_picked()) {
      if (h.state == "held" && h.placed_at_us > 0) {
        deltas_.AddBucket(store_, week, kPickTime,
                          BucketOf(at - h.placed_at_us), 1);
      }
      if (open) {
        h.state = "picked";
        h.picked_at_us = at;
      }
      return Status::Ok();
    }
    if (!open) return Status::Ok();  // finished once already
    h.finished_at_us = at;
    if (e.has_hold_cancelled() &&
        e.hold_cancelled().operator_id() == kCentralOperator) {
      h.state = "withdrawn";
      return Status::Ok();
    }
    h.state = e.has_hold_collected()      ? "collected"
              : e.has_hold_short_picked() ? "short_picked"
              : e.has_hold_cancelled()    ? "cancelled"
                                          : "expired";
    deltas_.Add(store_, week, kOrdersFinished, 1);
    if (e.has_hold_collected()) {
      deltas_.Add(store_, week, kOrdersComplete, 1);
      index_.NoteCollected(h.order_ref);
    }
    return Status::Ok();
  }

  SqlTx& tx_;
  const std::string& store_;
  const int64_t now_;
  KpiIndex index_;
  CounterDeltas deltas_;
  deviations::BatchDeviations deviations_;
};

}  // namespace

namespace {

// Every counter's name, by slot: the plain ones, the channels' values, then
// each histogram's buckets.
struct SlotTable {
  std::vector<std::string> names;
  std::map<std::string, int, std::less<>> plain;
  std::map<std::string, int, std::less<>> histogram;  // -> its first slot
  SlotTable() {
    for (std::string_view n :
         {kSalesCount, kSalesValue, kSalesLines, kSalesMember, kReturnsCount,
          kReturnsValue, kEnrolments, kOrdersFinished, kOrdersComplete, kCloses,
          kClosesDiscrepant, kDrift, kPriceLinesChecked,
          kPriceLinesDeviating}) {
      Plain(std::string(n));
    }
    for (std::string_view c :
         {"store", "click_and_collect", "ship_from_store", "endless_aisle"}) {
      Plain(ChannelValueCounter(c));
    }
    for (std::string_view h : {kPickTime, kRefundCycle, kFreshness, kLatency}) {
      histogram.emplace(std::string(h), static_cast<int>(names.size()));
      for (int b = 0; b < kBuckets; ++b) names.push_back(BucketCounter(h, b));
    }
  }
  void Plain(std::string n) {
    plain.emplace(n, static_cast<int>(names.size()));
    names.push_back(std::move(n));
  }
};

const SlotTable& Table() {
  static const SlotTable t;
  return t;
}

}  // namespace

std::vector<int64_t>& CounterDeltas::Slots(const std::string& store_id,
                                           const std::string& week) {
  if (last_ != nullptr && last_key_.first == store_id &&
      last_key_.second == week) {
    return *last_;
  }
  last_key_ = {store_id, week};
  std::vector<int64_t>& v = deltas_[last_key_];
  if (v.empty()) v.assign(Table().names.size(), 0);
  last_ = &v;
  return v;
}

void CounterDeltas::Add(const std::string& store_id, const std::string& week,
                        std::string_view name, int64_t n) {
  auto it = Table().plain.find(name);
  if (it == Table().plain.end()) return;  // not a counter: cannot happen
  Slots(store_id, week)[static_cast<size_t>(it->second)] += n;
}

void CounterDeltas::AddBucket(const std::string& store_id,
                              const std::string& week,
                              std::string_view histogram, int bucket,
                              int64_t n) {
  auto it = Table().histogram.find(histogram);
  if (it == Table().histogram.end() || bucket < 0 || bucket >= kBuckets) {
    return;
  }
  Slots(store_id, week)[static_cast<size_t>(it->second + bucket)] += n;
}

void CounterDeltas::AppendTo(std::vector<SqlRows>& out) const {
  SqlRows rows{"INSERT INTO kpi_counters (store_id, week, name, value)",
               "ON CONFLICT (store_id, week, name) DO UPDATE SET "
               "value = kpi_counters.value + excluded.value",
               "ttti",
               {}};
  const std::vector<std::string>& names = Table().names;
  for (const auto& [key, slots] : deltas_) {
    for (size_t i = 0; i < slots.size(); ++i) {
      if (slots[i] == 0) continue;
      rows.flat.emplace_back(std::string_view(key.first));
      rows.flat.emplace_back(std::string_view(key.second));
      rows.flat.emplace_back(std::string_view(names[i]));
      rows.flat.emplace_back(slots[i]);
    }
  }
  out.push_back(std::move(rows));
}

Status CounterDeltas::Flush(SqlTx& tx) const {
  std::vector<SqlRows> rows;
  AppendTo(rows);
  return tx.ExecRows(rows);
}

Status OnIngest(SqlTx& tx, const std::string& store_id, const IngestPlan& plan,
                int64_t now_us, bool pending_returns) {
  BatchKpis b(tx, store_id, now_us, pending_returns);
  STOREAGENT_RETURN_IF_ERROR(b.Prefetch(plan));
  for (const PlannedEntry& p : plan.entries) {
    STOREAGENT_RETURN_IF_ERROR(b.Entry(p));
  }
  return b.Finish();
}

Status OnCentralAck(SqlTx& tx, const std::string& store_id,
                    uint64_t acked_before, uint64_t acked_now, int64_t now_us) {
  if (acked_now <= acked_before) return Status::Ok();
  CounterDeltas d;
  const std::string week = IsoWeek(now_us);
  STOREAGENT_RETURN_IF_ERROR(tx.Query(
      "SELECT created_at_us FROM central_events WHERE store_id=?1 AND "
      "central_seq>?2 AND central_seq<=?3",
      {store_id, SqlInt(acked_before), SqlInt(acked_now)},
      [&](const SqlRow& r) {
        d.AddBucket(store_id, week, kLatency, BucketOf(now_us - r.Int(0)), 1);
        return Status::Ok();
      }));
  return d.Flush(tx);
}

Status OnDrift(SqlTx& tx, const std::vector<v1::Drift>& drift) {
  CounterDeltas d;
  for (const v1::Drift& x : drift) {
    d.Add(x.store_id(), IsoWeek(x.found_at_us()), kDrift, 1);
  }
  return d.Flush(tx);
}

Result<std::map<uint64_t, v1::ResolvedOriginal>> ReadResolvedOriginals(
    SqlTx& tx, const std::string& store_id, uint64_t after, uint64_t through) {
  std::map<uint64_t, v1::ResolvedOriginal> out;
  static const std::string kRange =
      "SELECT seq, resolved, res_store, res_seq, res_order_ref, "
      "res_sold_at_us, res_channel, res_business_day, orig_store, "
      "orig_reference, orig_sold_at_us, orig_channel, orig_business_day "
      "FROM kpi_returns WHERE store_id=?1 AND seq>?2 AND seq<=?3";
  STOREAGENT_RETURN_IF_ERROR(tx.QueryPrepared(
      kRange, {store_id, SqlInt(after), SqlInt(through)}, [&](const SqlRow& r) {
        v1::ResolvedOriginal& o = out[static_cast<uint64_t>(r.Int(0))];
        const bool found = r.Int(1) != 0;
        o.set_found(found);
        if (found) {
          o.set_store_id(r.Text(2));
          o.set_seq(static_cast<uint64_t>(r.Int(3)));
          o.set_order_ref(r.Text(4));
          o.set_sold_at_us(r.Int(5));
          o.set_channel(r.Text(6));
          o.set_business_day(r.Text(7));
        } else {  // not found: what the return said
          o.set_store_id(r.Text(8));
          if (IsOnlineChannel(r.Text(11))) o.set_order_ref(r.Text(9));
          o.set_sold_at_us(r.Int(10));
          o.set_channel(r.Text(11));
          o.set_business_day(r.Text(12));
        }
        return Status::Ok();
      }));
  return out;
}

Result<std::optional<v1::ResolvedOriginal>> ReadResolvedOriginal(
    SqlTx& tx, const std::string& store_id, uint64_t seq) {
  if (seq == 0) return std::optional<v1::ResolvedOriginal>();
  Result<std::map<uint64_t, v1::ResolvedOriginal>> one =
      ReadResolvedOriginals(tx, store_id, seq - 1, seq);
  if (!one.ok()) return one.status();
  if (one->empty()) return std::optional<v1::ResolvedOriginal>();
  return std::optional(std::move(one->begin()->second));
}

}  // namespace storeagent::central::kpi
