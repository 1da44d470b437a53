#include "core/stock_replay.h"

#include <string>

namespace storeagent::core {
namespace {

// The order a hold event (other than placement) is about; empty for other
// records.
const std::string* HoldOrderRef(const v1::JournalRecord& r) {
  if (!r.has_stock()) return nullptr;
  const v1::StockEvent& e = r.stock();
  switch (e.kind_case()) {
    case v1::StockEvent::kHoldPicked:
      return &e.hold_picked().order_ref();
    case v1::StockEvent::kHoldCollected:
      return &e.hold_collected().order_ref();
    case v1::StockEvent::kHoldCancelled:
      return &e.hold_cancelled().order_ref();
    case v1::StockEvent::kHoldExpired:
      return &e.hold_expired().order_ref();
    case v1::StockEvent::kHoldShortPicked:
      return &e.hold_short_picked().order_ref();
    default:
      return nullptr;
  }
}

void TrimLines(
    const google::protobuf::RepeatedPtrField<v1::TransactionLine>& from,
    google::protobuf::RepeatedPtrField<v1::TransactionLine>* to) {
  to->Reserve(from.size());
  for (const v1::TransactionLine& l : from) {
    v1::TransactionLine* t = to->Add();
    t->set_sku(l.sku());
    t->set_quantity(l.quantity());
    t->set_restock(l.restock());
  }
}

// What a later post-void of `r` needs: the kind and, for sales and returns,
// each line's SKU, quantity and restock flag.
v1::JournalRecord Trimmed(const v1::JournalRecord& r) {
  v1::JournalRecord t;
  t.set_seq(r.seq());
  *t.mutable_client_key() = r.client_key();
  v1::Transaction* txn = t.mutable_transaction();
  if (r.transaction().has_sale()) {
    TrimLines(r.transaction().sale().lines(),
              txn->mutable_sale()->mutable_lines());
  } else if (r.transaction().has_return_()) {
    TrimLines(r.transaction().return_().lines(),
              txn->mutable_return_()->mutable_lines());
  }
  return t;
}

bool AddOverflows(int64_t* into, int64_t delta) {
  return __builtin_add_overflow(*into, delta, into);
}

}  // namespace

SkuFigures StockReplay::Figures(const std::string& sku) const {
  const SkuFigures* f = skus_.Find(sku);
  return f == nullptr ? SkuFigures{} : *f;
}

const v1::Hold* StockReplay::FindHold(const std::string& order_ref) const {
  auto it = holds_.find(order_ref);
  return it == holds_.end() ? nullptr : &it->second;
}

Status StockReplay::Apply(const v1::JournalRecord& record) {
  if (record.seq() <= last_seq_) {
    return FailedPrecondition("seq " + std::to_string(record.seq()) +
                              ": not after the last applied seq " +
                              std::to_string(last_seq_));
  }
  const std::string at = "seq " + std::to_string(record.seq()) + ": ";
  StockContext context;
  const v1::Hold* hold = nullptr;
  std::optional<Key> voided_key;
  if (record.has_transaction() && record.transaction().has_post_void()) {
    const v1::ClientKey& o = record.transaction().post_void().original();
    voided_key = Key(o.terminal_id(), o.client_txn_id());
    if (voided_.count(*voided_key) != 0) {
      return FailedPrecondition(at + "post_void.original: (" + o.terminal_id() +
                                ", " + o.client_txn_id() +
                                ") was already voided");
    }
    auto it = transactions_.find(*voided_key);
    if (it != transactions_.end()) context.voided = &it->second;
  } else if (record.has_stock() && record.stock().has_hold_placed()) {
    const std::string& ref = record.stock().hold_placed().order_ref();
    if (holds_.count(ref) != 0) {
      return AlreadyExists(at + "hold_placed.order_ref: order " + ref +
                           " already has a hold");
    }
  } else if (const std::string* ref = HoldOrderRef(record); ref != nullptr) {
    hold = FindHold(*ref);
    if (hold == nullptr) return NotFound(at + "order_ref: no hold " + *ref);
    context.hold = hold;
  }
  Result<StockEffects> fx = StockEffectsOf(record, context);
  if (!fx.ok()) {
    return Status(fx.status().code(), at + fx.status().message());
  }
  STOREAGENT_RETURN_IF_ERROR(ApplyEffects(record, *fx, hold));
  if (record.has_stock() && record.stock().has_escrow_changed()) {
    for (const v1::EscrowLine& l : record.stock().escrow_changed().lines()) {
      escrow_seq_[l.sku()] = record.seq();
      if (l.quantity() == 0) {
        escrow_.Erase(l.sku());
      } else {
        escrow_.Set(l.sku(), l.quantity());
      }
    }
  }
  if (voided_key) {
    voided_.insert(*voided_key);
    // Never needed again: a second void is refused by voided_ first.
    transactions_.erase(*voided_key);
  }
  if (record.has_transaction()) {
    const v1::ClientKey& k = record.client_key();
    transactions_.emplace(Key(k.terminal_id(), k.client_txn_id()),
                          Trimmed(record));
  }
  last_seq_ = record.seq();
  ++records_applied_;
  return Status::Ok();
}

Status StockReplay::ApplyCentral(const v1::CentralEvent& event) {
  const std::string at = "central_seq " + std::to_string(event.central_seq());
  if (event.central_seq() <= last_central_seq_) {
    return FailedPrecondition(at + ": not after the last applied " +
                              std::to_string(last_central_seq_));
  }
  std::map<std::string, SkuFigures> next;
  for (const SkuEffect& d : CentralEffectsOf(event)) {
    SkuFigures& f = next.try_emplace(d.sku, Figures(d.sku)).first->second;
    const bool counted = f.count && f.count->central_seq >= event.central_seq();
    if ((!counted && AddOverflows(&f.on_hand, d.on_hand)) ||
        AddOverflows(&f.unavailable, d.unavailable)) {
      return FailedPrecondition(at + ": sku " + d.sku + ": figures overflow");
    }
  }
  for (auto& [sku, f] : next) skus_.Set(sku, std::move(f));
  for (const SkuEffect& d : CentralEffectsOf(event)) {
    if (d.on_hand != 0) {
      central_deltas_[d.sku].emplace_back(event.central_seq(), d.on_hand);
    }
  }
  last_central_seq_ = event.central_seq();
  return Status::Ok();
}

Status StockReplay::ApplyEffects(const v1::JournalRecord& record,
                                 const StockEffects& fx, const v1::Hold* hold) {
  // Check every sum first, so a refused record changes nothing.
  std::map<std::string, SkuFigures> next;
  for (const CountReset& c : fx.counts) {
    SkuFigures& f = next.try_emplace(c.sku, Figures(c.sku)).first->second;
    f.on_hand = c.counted;
    // Central deltas already applied that the count does not cover.
    auto cd = central_deltas_.find(c.sku);
    if (cd != central_deltas_.end()) {
      for (const auto& [cseq, q] : cd->second) {
        if (cseq > c.central_seq && AddOverflows(&f.on_hand, q)) {
          return FailedPrecondition("seq " + std::to_string(record.seq()) +
                                    ": sku " + c.sku + ": figures overflow");
        }
      }
    }
    f.count = c;
    f.updated_seq = record.seq();
  }
  for (const SkuEffect& d : fx.deltas) {
    SkuFigures& f = next.try_emplace(d.sku, Figures(d.sku)).first->second;
    if (AddOverflows(&f.on_hand, d.on_hand) || AddOverflows(&f.held, d.held) ||
        AddOverflows(&f.unavailable, d.unavailable)) {
      return FailedPrecondition("seq " + std::to_string(record.seq()) +
                                ": sku " + d.sku + ": figures overflow");
    }
    f.updated_seq = record.seq();
  }
  for (auto& [sku, f] : next) skus_.Set(sku, std::move(f));
  if (!fx.hold_state) return Status::Ok();
  v1::Hold h;
  if (hold == nullptr) {  // placement
    const v1::HoldPlaced& p = record.stock().hold_placed();
    h.set_order_ref(p.order_ref());
    h.set_channel(p.channel());
    *h.mutable_lines() = p.lines();
    h.set_expires_at_us(p.expires_at_us());
    h.set_placed_seq(record.seq());
  } else {
    h = *hold;
  }
  h.set_state(*fx.hold_state);
  h.set_updated_seq(record.seq());
  holds_[h.order_ref()] = std::move(h);
  return Status::Ok();
}

void StockReplay::SaveTo(internal::v1::ReplicaSnapshot* out) const {
  out->set_format(kReplicaSnapshotFormat);
  out->mutable_skus()->Reserve(static_cast<int>(skus_.size()));
  for (const auto& [sku, f] : skus_.ordered()) {
    internal::v1::SnapshotSku* s = out->add_skus();
    s->set_sku(sku);
    s->set_on_hand(f.on_hand);
    s->set_held(f.held);
    s->set_unavailable(f.unavailable);
    if (f.count) {
      s->mutable_count()->set_counted(f.count->counted);
      s->mutable_count()->set_store_seq(f.count->store_seq);
      s->mutable_count()->set_central_seq(f.count->central_seq);
    }
    s->set_updated_seq(f.updated_seq);
  }
  out->mutable_holds()->Reserve(static_cast<int>(holds_.size()));
  for (const auto& [ref, h] : holds_) *out->add_holds() = h;
  out->mutable_transactions()->Reserve(static_cast<int>(transactions_.size()));
  for (const auto& [key, t] : transactions_) *out->add_transactions() = t;
  for (const Key& k : voided_) {
    v1::ClientKey* c = out->add_voided();
    c->set_terminal_id(k.first);
    c->set_client_txn_id(k.second);
  }
  for (const auto& [sku, seq] : escrow_seq_) {
    internal::v1::SnapshotEscrow* e = out->add_escrow();
    e->set_sku(sku);
    const int64_t* q = escrow_.Find(sku);
    e->set_quantity(q == nullptr ? 0 : *q);
    e->set_seq(seq);
  }
  for (const auto& [sku, deltas] : central_deltas_) {
    internal::v1::SnapshotCentralDeltas* d = out->add_central_deltas();
    d->set_sku(sku);
    for (const auto& [cseq, q] : deltas) {
      d->add_central_seqs(cseq);
      d->add_quantities(q);
    }
  }
  out->set_last_seq(last_seq_);
  out->set_last_central_seq(last_central_seq_);
  out->set_records_applied(records_applied_);
}

Result<StockReplay> StockReplay::LoadFrom(internal::v1::ReplicaSnapshot&& in) {
  if (in.format() != kReplicaSnapshotFormat) {
    return FailedPrecondition(
        "snapshot: format " + std::to_string(in.format()) +
        ", this build reads " + std::to_string(kReplicaSnapshotFormat));
  }
  StockReplay r;
  for (const internal::v1::SnapshotSku& s : in.skus()) {
    SkuFigures f;
    f.on_hand = s.on_hand();
    f.held = s.held();
    f.unavailable = s.unavailable();
    if (s.has_count()) {
      f.count = CountReset{s.sku(), s.count().counted(), s.count().store_seq(),
                           s.count().central_seq()};
    }
    f.updated_seq = s.updated_seq();
    r.skus_.Set(s.sku(), std::move(f));
  }
  for (v1::Hold& h : *in.mutable_holds()) {
    std::string ref = h.order_ref();
    r.holds_[std::move(ref)] = std::move(h);
  }
  in.clear_holds();
  for (v1::JournalRecord& t : *in.mutable_transactions()) {
    Key k(t.client_key().terminal_id(), t.client_key().client_txn_id());
    r.transactions_[std::move(k)] = std::move(t);
  }
  in.clear_transactions();
  for (const v1::ClientKey& k : in.voided()) {
    r.voided_.insert(Key(k.terminal_id(), k.client_txn_id()));
  }
  for (const internal::v1::SnapshotEscrow& e : in.escrow()) {
    r.escrow_seq_[e.sku()] = e.seq();
    if (e.quantity() != 0) r.escrow_.Set(e.sku(), e.quantity());
  }
  for (const internal::v1::SnapshotCentralDeltas& d : in.central_deltas()) {
    if (d.central_seqs_size() != d.quantities_size()) {
      return FailedPrecondition("snapshot: central_deltas of sku " + d.sku() +
                                ": seqs and quantities differ in number");
    }
    auto& to = r.central_deltas_[d.sku()];
    for (int i = 0; i < d.central_seqs_size(); ++i) {
      to.emplace_back(d.central_seqs(i), d.quantities(i));
    }
  }
  r.last_seq_ = in.last_seq();
  r.last_central_seq_ = in.last_central_seq();
  r.records_applied_ = in.records_applied();
  return r;
}

}  // namespace storeagent::core
