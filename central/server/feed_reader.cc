#include "central/server/feed_reader.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "central/server/feed_kinds.h"

namespace storeagent::central {

FeedReader::FeedReader(CentralStore& store, FeedPlan plan, size_t page_rows,
                       size_t page_bytes)
    : store_(store),
      plan_(std::move(plan)),
      page_rows_(page_rows),
      page_bytes_(page_bytes),
      rows_(page_rows) {
  for (const auto& [id, start] : plan_.after) {
    positions_[id] = Position{start.seq, start.central_seq};
  }
}

Status FeedReader::ListStores() {
  Result<std::vector<StoreRow>> rows = store_.ListStores();
  if (!rows.ok()) return rows.status();
  work_.clear();
  for (const StoreRow& row : *rows) {
    if (!plan_.WantsStore(row.store_id)) continue;
    const Position& p = positions_[row.store_id];
    if (row.store_seq_held > p.seq || row.central_head_seq > p.central_seq) {
      work_.push_back(
          Work{row.store_id, row.store_seq_held, row.central_head_seq});
    }
  }
  listed_ = true;
  return Status::Ok();
}

Status FeedReader::ReadPage(const Work& w, FeedSource source,
                            std::vector<FeedItem>* out) {
  Position& p = positions_[w.store_id];
  const bool is_store = source == FeedSource::kStore;
  uint64_t& at = is_store ? p.seq : p.central_seq;
  FeedPageQuery q;
  q.store_id = w.store_id;
  q.source = source;
  q.after = at;
  q.through = is_store ? w.store_through : w.central_through;
  q.from_us = plan_.from_us;
  q.to_us = plan_.to_us;
  q.limit = rows_;
  Result<std::vector<FeedRow>> rows = store_.ReadFeedPage(q);
  if (!rows.ok()) return rows.status();
  const size_t first = out->size();
  size_t bytes = 0;          // the page's stored bytes (kFeedPageBytes)
  v1::CentralEvent central;  // reused: a central event is parsed for its kind
  for (FeedRow& row : *rows) {
    bytes += row.bytes.size();
    if (is_store && !plan_.WantsKind(row.kind)) continue;
    // A store event's record goes out as stored: it was parsed and checked
    // at ingest; here only its framing is (a consumer must be able to
    // parse the response around it).
    const bool parsed = is_store ? WireWellFormed(row.bytes)
                                 : central.ParseFromString(row.bytes);
    if (!parsed) {
      out->resize(first);
      return DataLoss(
          std::string(is_store ? "store_events" : "central_events") +
          ": store " + w.store_id + " " + (is_store ? "seq " : "central_seq ") +
          std::to_string(row.number) + ": does not parse");
    }
    if (!is_store) {
      row.kind = CentralFeedKind(central);
      if (!plan_.WantsKind(row.kind)) continue;
    }
    FeedItem& e = out->emplace_back();
    e.store_id = w.store_id;
    e.central = !is_store;
    (is_store ? e.seq : e.central_seq) = row.number;
    e.kind = std::move(row.kind);
    e.at_us = row.at_us;
    e.ingested_at_us = row.ingested_at_us;
    e.body = std::move(row.bytes);
    e.quarantined = std::move(row.quarantined);
    // How central resolved the sale a return names (docs/kpis.md,
    // "Original resolution"); nothing when it is not indexed.
    e.original = std::move(row.original);
  }
  if (bytes > page_bytes_) {
    rows_ = std::max<size_t>(1, rows_ / 2);
  } else if (bytes < page_bytes_ / 2 && rows->size() == q.limit) {
    rows_ = std::min(page_rows_, rows_ * 2);
  }
  // A short page read everything up to the head the pass listed.
  at = rows->size() < q.limit ? q.through : rows->back().number;
  return Status::Ok();
}

Result<FeedReader::Step> FeedReader::Next(std::vector<FeedItem>* out) {
  if (!listed_) {
    STOREAGENT_RETURN_IF_ERROR(ListStores());
    return Step::kMore;
  }
  while (!work_.empty()) {
    const Work& w = work_.front();
    const Position& p = positions_[w.store_id];
    if (p.seq < w.store_through) {
      STOREAGENT_RETURN_IF_ERROR(ReadPage(w, FeedSource::kStore, out));
      return Step::kMore;
    }
    if (p.central_seq < w.central_through) {
      STOREAGENT_RETURN_IF_ERROR(ReadPage(w, FeedSource::kCentral, out));
      return Step::kMore;
    }
    work_.pop_front();
  }
  listed_ = false;
  return Step::kPassDone;
}

}  // namespace storeagent::central
