// FeedReader: the change feed's walk over central's events (docs/feed.md),
// one database query per step, so a caller can interleave it with writing
// and stop anywhere. No gRPC, no threads: StreamEvents drives it from its
// worker (feed_stream.cc); tests drive it directly.
//
// A pass lists the stores (one query: each store's heads, store_seq_held and
// central_head_seq, committed with the events they count), then reads every
// wanted store whose heads moved past the reader's position, up to those
// heads, in pages of `page_rows` by key range on (store_id, seq) and
// (store_id, central_seq): a store's events in order, stores one after the
// other (a page's rows shrink when its events are large: kFeedPageBytes).
// What the filters leave out is skipped without being parsed, and
// what is sent is not parsed either: a store event's record goes out as the
// bytes central stored (feed_wire.h), checked only to be well-formed at its
// top level; a central event is parsed for its kind. The reader keeps one
// position per store seen (a few dozen bytes each) and never more than one
// page of events.
#ifndef STOREAGENT_CENTRAL_SERVER_FEED_READER_H_
#define STOREAGENT_CENTRAL_SERVER_FEED_READER_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "central/server/feed_request.h"
#include "central/server/feed_wire.h"
#include "central/store/central_store.h"
#include "platform/status.h"

namespace storeagent::central {

// Rows per store read at most (docs/feed.md, "Limits"): large enough that
// the writer has several batches to send while the next page is read.
inline constexpr size_t kFeedPageRows = 4000;
// A page's stored bytes, about: a page that read more than this halves the
// rows of the next read (down to 1), one that read under half of it
// doubles them again (up to page_rows), so a store of large events keeps
// the memory a stream holds near this, not near kFeedPageRows times them.
inline constexpr size_t kFeedPageBytes = 4u << 20;

class FeedReader {
 public:
  FeedReader(CentralStore& store, FeedPlan plan,
             size_t page_rows = kFeedPageRows,
             size_t page_bytes = kFeedPageBytes);

  enum class Step {
    kMore,      // a query ran (its events, maybe none, were appended)
    kPassDone,  // every store was read to the heads the pass listed
  };
  // Runs the pass's next query and appends the events it found to *out.
  // After kPassDone the next call starts a new pass. An error leaves the
  // position where it was (the call may be repeated).
  Result<Step> Next(std::vector<FeedItem>* out);

 private:
  // Where the reader is in one store: the last seq and central_seq read
  // (sent or filtered out).
  struct Position {
    uint64_t seq = 0;
    uint64_t central_seq = 0;
  };
  // A store to read in this pass, up to its heads.
  struct Work {
    std::string store_id;
    uint64_t store_through = 0;
    uint64_t central_through = 0;
  };

  Status ListStores();
  // One page of `w`'s store (kStore) or central (kCentral) events.
  Status ReadPage(const Work& w, FeedSource source, std::vector<FeedItem>* out);

  CentralStore& store_;
  const FeedPlan plan_;
  const size_t page_rows_;
  const size_t page_bytes_;
  size_t rows_;  // the next read's rows (kFeedPageBytes)
  std::map<std::string, Position> positions_;
  std::deque<Work> work_;
  bool listed_ = false;
};

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_SERVER_FEED_READER_H_
