#include "bench/feed_measure.h"

#include <google/protobuf/arena.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <pqxx/pqxx>

#include "bench/fleet_pg.h"
#include "storeagent/v1/sync.grpc.pb.h"

namespace storeagent::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;

double SecondsSince(SteadyClock::time_point t0) {
  return std::chrono::duration<double>(SteadyClock::now() - t0).count();
}

// One consumer: the whole feed to caught_up.
bool ReadFeed(const std::string& admin_address, FeedFigures* f) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(16 << 20);
  auto stub = v1::CentralAdminService::NewStub(grpc::CreateCustomChannel(
      admin_address, grpc::InsecureChannelCredentials(), args));
  grpc::ClientContext ctx;
  const SteadyClock::time_point t0 = SteadyClock::now();
  v1::StreamEventsRequest request;
  request.set_max_batch(1000);  // docs/feed.md, "Batches"
  auto reader = stub->StreamEvents(&ctx, request);
  // Each response is parsed on an arena, as docs/feed.md ("Consuming it
  // fast") advises: a record's oneof members are freed by every parse's
  // Clear() and made again; on an arena both are a pointer bump. A fresh
  // arena every 64 responses bounds the memory it keeps.
  std::unique_ptr<google::protobuf::Arena> arena;
  v1::StreamEventsResponse* m = nullptr;
  int on_arena = 0;
  bool caught_up = false;
  for (;;) {
    if (on_arena++ % 64 == 0) {
      arena = std::make_unique<google::protobuf::Arena>();
      m = google::protobuf::Arena::CreateMessage<v1::StreamEventsResponse>(
          arena.get());
    }
    if (!reader->Read(m)) break;
    if (m->has_caught_up()) {
      caught_up = true;
      break;
    }
    f->feed_events += m->has_event() ? 1 : m->events().events_size();
  }
  f->feed_seconds = SecondsSince(t0);
  ctx.TryCancel();
  const grpc::Status st = reader->Finish();
  if (!caught_up) {
    f->error = "feed: ended before caught_up: " + st.error_message();
    return false;
  }
  return true;
}

// The plain SELECT of the same rows, every row's bytes touched.
bool RawScan(const std::string& url, FeedFigures* f) {
  try {
    pqxx::connection c(url);
    pqxx::read_transaction tx(c);
    const SteadyClock::time_point t0 = SteadyClock::now();
    uint64_t bytes = 0;
    for (const char* sql :
         {"SELECT store_id, seq, record FROM store_events",
          "SELECT store_id, central_seq, event FROM central_events"}) {
      const pqxx::result r = tx.exec(sql);
      for (const pqxx::row& row : r) {
        ++f->raw_rows;
        bytes += row[0].size() + row[1].size() + row[2].size();
      }
    }
    f->raw_seconds = SecondsSince(t0);
    return bytes > 0 || f->raw_rows == 0;
  } catch (const std::exception& e) {
    f->error = std::string("raw scan: ") + e.what();
    return false;
  }
}

}  // namespace

FeedFigures MeasureFeed(const std::string& admin_address,
                        const std::string& pg_url, const std::string& schema) {
  FeedFigures f;
  if (!ReadFeed(admin_address, &f)) return f;
  if (!RawScan(schema.empty() ? pg_url : WithSearchPath(pg_url, schema), &f)) {
    return f;
  }
  if (f.raw_rows != f.feed_events) {
    f.error = "the feed sent " + std::to_string(f.feed_events) +
              " events, the tables hold " + std::to_string(f.raw_rows);
    return f;
  }
  f.feed_events_per_s =
      f.feed_seconds > 0 ? static_cast<double>(f.feed_events) / f.feed_seconds
                         : 0;
  f.raw_rows_per_s =
      f.raw_seconds > 0 ? static_cast<double>(f.raw_rows) / f.raw_seconds : 0;
  f.feed_ratio_to_raw_scan =
      f.raw_rows_per_s > 0 ? f.feed_events_per_s / f.raw_rows_per_s : 0;
  f.ok = true;
  return f;
}

}  // namespace storeagent::bench
