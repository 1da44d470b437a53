#include "central/ctl_feed.h"

#include <google/protobuf/util/json_util.h>
#include <pthread.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <memory>
#include <mutex>
#include <thread>
#include <tuple>

#include "central/ctl_format.h"
#include "platform/clock.h"
#include "platform/fs.h"

namespace storeagent::central {
namespace {

namespace pbu = google::protobuf::util;

bool AllDigits(const std::string& s) {
  if (s.empty() || s.size() > 18) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Cursor file errors name the file.
Status CursorError(const std::string& path, const std::string& why) {
  return InvalidArgument("--cursor: " + path + ": " + why);
}

// Prints one event as a line; false when stdout is gone.
bool PrintEvent(const v1::FeedEvent& e) {
  std::string json;
  pbu::JsonPrintOptions o;
  o.preserve_proto_field_names = true;
  if (!pbu::MessageToJsonString(e, &json, o).ok()) return false;
  json.push_back('\n');
  return std::fwrite(json.data(), 1, json.size(), stdout) == json.size() &&
         std::fflush(stdout) == 0;
}

// SIGINT and SIGTERM cancel the call (the cursor is saved on the way out);
// SIGUSR2, sent by Stop(), ends the waiting thread.
class SignalCanceller {
 public:
  explicit SignalCanceller(grpc::ClientContext& ctx) {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    sigaddset(&set_, SIGUSR2);
    thread_ = std::thread([this, &ctx] {
      int sig = 0;
      sigwait(&set_, &sig);
      if (sig != SIGUSR2) {
        signalled_ = true;
        ctx.TryCancel();
      }
    });
  }
  ~SignalCanceller() {
    pthread_kill(thread_.native_handle(), SIGUSR2);
    thread_.join();
  }
  bool signalled() const { return signalled_; }

 private:
  sigset_t set_;
  std::atomic<bool> signalled_{false};
  std::thread thread_;
};

}  // namespace

void BlockFeedSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGUSR2);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

CLI::App* AddFeedCommand(CLI::App& app, FeedOptions* o) {
  CLI::App* feed = app.add_subcommand(
      "feed",
      "Every store's events and central's events after a cursor, one "
      "proto-JSON FeedEvent a line on stdout (docs/feed.md)");
  feed->footer(
      "Without --follow the command ends once caught up (a line 'caught up' "
      "on stderr); with it, it goes on printing events as central commits "
      "them until SIGINT or SIGTERM. --cursor keeps the position in FILE, "
      "saved atomically every 1000 events or 200 ms, when caught up and at "
      "exit: after a crash up to 1000 events may print again (drop repeats "
      "by store_id+seq / store_id+central_seq). Kinds: sale, return, "
      "post_void, no_sale, daily_close, loyalty.*, stock.movement, "
      "stock.count, hold.*, escrow.changed, central.movement, "
      "central.catalog, central.prices, central.escrow_hold, "
      "central.hold_cancel. Times: microseconds since the epoch, "
      "YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC).\n"
      "Example: storecentralctl feed --cursor /var/lib/erp/feed.cursor "
      "--kind sale --kind return --follow");
  feed->add_option("--cursor", o->cursor_file,
                   "FILE holding the position (read at start, replaced as "
                   "events are printed; created when missing)");
  feed->add_option("--store", o->stores,
                   "only this store, repeatable (default: every store)");
  feed->add_option("--kind", o->kinds,
                   "only this kind, repeatable (default: every kind)");
  feed->add_option("--from", o->from,
                   "only events at or after this time (store: recorded_at, "
                   "central: created_at)");
  feed->add_option("--to", o->to, "only events before this time");
  feed->add_flag("--follow", o->follow,
                 "keep going after caught up: print events as they commit");
  return feed;
}

Result<int64_t> ParseFeedTime(const std::string& text,
                              const std::string& option) {
  if (AllDigits(text)) return static_cast<int64_t>(std::stoll(text));
  std::tm tm{};
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  char tail = 0;
  const bool day = text.size() == 10 &&
                   std::sscanf(text.c_str(), "%4d-%2d-%2d", &y, &mo, &d) == 3;
  const bool full = text.size() == 20 &&
                    std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &y,
                                &mo, &d, &h, &mi, &s, &tail) == 7 &&
                    tail == 'Z';
  if ((!day && !full) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
      mi > 59 || s > 60 || y < 1970) {
    return InvalidArgument(option + ": '" + text +
                           "' is not a time (microseconds since the epoch, "
                           "YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)");
  }
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  return static_cast<int64_t>(timegm(&tm)) * 1'000'000;
}

Result<FeedCursor> ReadFeedCursor(const std::string& path) {
  FeedCursor out;
  Result<std::string> text = fs::ReadFile(path);
  if (!text.ok()) {
    if (text.status().code() == StatusCode::kNotFound) return out;
    return CursorError(path, text.status().message());
  }
  v1::StreamEventsRequest r;
  pbu::JsonParseOptions o;
  if (!pbu::JsonStringToMessage(*text, &r, o).ok()) {
    return CursorError(path,
                       "not a cursor ({\"after\": [...]} as written "
                       "by storecentralctl feed)");
  }
  for (const v1::FeedPosition& p : r.after()) {
    if (!out.emplace(p.store_id(), p).second) {
      return CursorError(path, "store " + p.store_id() + " listed twice");
    }
  }
  return out;
}

Result<std::string> FeedCursorJson(const FeedCursor& cursor) {
  v1::StreamEventsRequest r;
  for (const auto& [id, p] : cursor) *r.add_after() = p;
  std::string json;
  pbu::JsonPrintOptions o;
  o.preserve_proto_field_names = true;
  if (const auto s = pbu::MessageToJsonString(r, &json, o); !s.ok()) {
    return Internal("cursor: cannot be written as JSON: " +
                    std::string(s.message()));
  }
  // The JSON printer drops bytes of a string that is not UTF-8 rather than
  // fail: read it back, so a file that would name another store (and make
  // the next run replay it) is never written.
  v1::StreamEventsRequest back;
  if (!pbu::JsonStringToMessage(json, &back).ok() ||
      back.after_size() != r.after_size()) {
    return Internal("cursor: its JSON does not read back");
  }
  for (int i = 0; i < r.after_size(); ++i) {
    if (back.after(i).store_id() != r.after(i).store_id()) {
      return Internal("cursor: store_id '" + r.after(i).store_id() +
                      "' cannot be written as JSON (not UTF-8)");
    }
  }
  return json + "\n";
}

void Advance(FeedCursor& cursor, const v1::FeedEvent& e) {
  v1::FeedPosition& p = cursor[e.store_id()];
  p.set_store_id(e.store_id());
  if (e.seq() > p.seq()) p.set_seq(e.seq());
  if (e.central_seq() > p.central_seq()) p.set_central_seq(e.central_seq());
}

int RunFeed(v1::CentralAdminService::Stub& stub, const FeedOptions& o) {
  v1::StreamEventsRequest request;
  FeedCursor cursor;
  if (!o.cursor_file.empty()) {
    Result<FeedCursor> read = ReadFeedCursor(o.cursor_file);
    if (!read.ok()) {
      std::fprintf(stderr, "storecentralctl: %s\n",
                   read.status().message().c_str());
      return 2;
    }
    cursor = *std::move(read);
  }
  for (const auto& [id, p] : cursor) *request.add_after() = p;
  for (const std::string& s : o.stores) request.add_store_ids(s);
  for (const std::string& k : o.kinds) request.add_kinds(k);
  for (const auto& [text, option, field] :
       {std::tuple{o.from, "--from", &v1::StreamEventsRequest::set_from_us},
        std::tuple{o.to, "--to", &v1::StreamEventsRequest::set_to_us}}) {
    if (text.empty()) continue;
    Result<int64_t> t = ParseFeedTime(text, option);
    if (!t.ok()) {
      std::fprintf(stderr, "storecentralctl: %s\n",
                   t.status().message().c_str());
      return 2;
    }
    (request.*field)(*t);
  }
  request.set_follow(o.follow);
  request.set_max_batch(kCtlFeedBatch);

  std::signal(SIGPIPE, SIG_IGN);  // a closed stdout is a write error
  grpc::ClientContext ctx;
  SignalCanceller signals(ctx);
  const Clock& clock = SystemClock();
  // The cursor and its save state, shared by this thread (which advances
  // it as events are printed) and the saver thread below (which saves it
  // kCursorSaveMicros after the oldest unsaved event, also while no further
  // event arrives: a quiet follow stream).
  std::mutex mu;
  std::condition_variable wake;
  bool done = false;
  int64_t saved_at = clock.MonotonicMicros();
  uint64_t unsaved = 0;
  bool save_failed = false;
  // Under mu.
  auto save = [&] {
    if (o.cursor_file.empty() || unsaved == 0 || save_failed) return;
    Result<std::string> json = FeedCursorJson(cursor);
    Status s = json.ok()
                   ? fs::WriteFileDurably(o.cursor_file, *json, 0644)
                   : Internal(o.cursor_file +
                              ": not saved (the file keeps the last cursor "
                              "saved): " +
                              json.status().message());
    if (!s.ok()) {
      std::fprintf(stderr, "storecentralctl: --cursor: %s\n",
                   s.message().c_str());
      save_failed = true;
      ctx.TryCancel();
      return;
    }
    unsaved = 0;
    saved_at = clock.MonotonicMicros();
  };
  std::thread saver;
  if (!o.cursor_file.empty()) {
    saver = std::thread([&] {
      std::unique_lock<std::mutex> lock(mu);
      while (!done) {
        if (unsaved == 0) {
          wake.wait(lock);
          continue;
        }
        const int64_t due = saved_at + kCursorSaveMicros;
        const int64_t now = clock.MonotonicMicros();
        if (now < due) {
          wake.wait_for(lock, std::chrono::microseconds(due - now));
          continue;
        }
        save();
      }
    });
  }
  std::unique_ptr<grpc::ClientReader<v1::StreamEventsResponse>> reader =
      stub.StreamEvents(&ctx, request);
  v1::StreamEventsResponse m;
  bool stdout_gone = false;
  auto failed = [&] {
    std::lock_guard<std::mutex> lock(mu);
    return save_failed;
  };
  while (!failed() && reader->Read(&m)) {
    if (m.has_caught_up()) {
      std::fprintf(
          stderr, "storecentralctl: caught up (%llu events)\n",
          static_cast<unsigned long long>(m.caught_up().events_sent()));
      std::lock_guard<std::mutex> lock(mu);
      save();
      continue;
    }
    // A batch (max_batch), or one event from a central that sends them so.
    v1::FeedBatch one;
    if (m.has_event()) *one.add_events() = m.event();
    for (const v1::FeedEvent& e :
         m.has_event() ? one.events() : m.events().events()) {
      if (!PrintEvent(e)) {
        stdout_gone = true;
        break;
      }
      std::lock_guard<std::mutex> lock(mu);
      Advance(cursor, e);
      if (unsaved++ == 0) {
        // The 200 ms run from the oldest unsaved event.
        saved_at = clock.MonotonicMicros();
        wake.notify_one();
      }
      if (unsaved >= kCursorSaveEvents) save();
    }
    if (stdout_gone) {
      ctx.TryCancel();
      break;
    }
  }
  const grpc::Status status = reader->Finish();
  {
    std::lock_guard<std::mutex> lock(mu);
    done = true;
    wake.notify_one();
  }
  if (saver.joinable()) saver.join();
  save();
  if (save_failed) return 1;
  if (stdout_gone) {
    std::fprintf(stderr, "storecentralctl: stdout closed; stopped\n");
    return 1;
  }
  if (!status.ok() && !signals.signalled()) {
    std::fprintf(stderr, "storecentralctl: %s\n", FormatStatus(status).c_str());
    return 1;
  }
  return 0;
}

}  // namespace storeagent::central
