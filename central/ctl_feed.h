// `storecentralctl feed`: the change feed (CentralAdminService.StreamEvents,
// docs/feed.md) on stdout, one proto-JSON FeedEvent a line, with the cursor
// kept in a file.
//
// With --cursor FILE the feed starts after the positions in FILE (none
// yet: from the beginning) and FILE is replaced atomically (temporary,
// fsync, rename: fs::WriteFileDurably) after an event has been written and
// flushed to stdout: every kCursorSaveEvents events, kCursorSaveMicros after
// the oldest unsaved event (on a timer of its own, so also while a
// following stream is quiet), at every caught_up, and when the command
// ends (a signal, the end of the stream, a closed stdout). A cursor that
// cannot be saved ends the command (exit 1) with the file as it was. So a crash
// (kill -9, power loss) may print again up to the last kCursorSaveEvents events
// before it: a consumer of stdout gets every event at least once and
// drops repeats by (store_id, seq) / (store_id, central_seq). A consumer
// that needs exactly once keeps the cursor itself, in the same transaction
// as the events (docs/feed.md, "Exactly once").
#ifndef STOREAGENT_CENTRAL_CTL_FEED_H_
#define STOREAGENT_CENTRAL_CTL_FEED_H_

#include <CLI/CLI.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "platform/status.h"
#include "storeagent/v1/sync.grpc.pb.h"

namespace storeagent::central {

inline constexpr uint64_t kCursorSaveEvents = 1000;
inline constexpr int64_t kCursorSaveMicros = 200'000;
// Events per response the command asks for (StreamEventsRequest.max_batch).
inline constexpr uint32_t kCtlFeedBatch = 100;

struct FeedOptions {
  std::string cursor_file;
  std::vector<std::string> stores;
  std::vector<std::string> kinds;
  std::string from;  // "" or a time ParseFeedTime reads
  std::string to;
  bool follow = false;
};

// Adds the `feed` subcommand to `app`, filling `options`.
CLI::App* AddFeedCommand(CLI::App& app, FeedOptions* options);

// A time on the command line: microseconds since the epoch (digits), or
// UTC "YYYY-MM-DD" / "YYYY-MM-DDTHH:MM:SSZ". INVALID_ARGUMENT naming
// `option` otherwise.
Result<int64_t> ParseFeedTime(const std::string& text,
                              const std::string& option);

// The cursor file: {"after": [{"store_id": ..., "seq": ..., "central_seq":
// ...}, ...]} (a StreamEventsRequest's `after` as proto-JSON). A missing
// file is an empty cursor.
using FeedCursor = std::map<std::string, v1::FeedPosition>;
Result<FeedCursor> ReadFeedCursor(const std::string& path);
// The file's text; INTERNAL (nothing to write) when the cursor cannot be
// written as JSON that reads back to it (a store_id that is not UTF-8).
Result<std::string> FeedCursorJson(const FeedCursor& cursor);
// Moves the cursor past `event`.
void Advance(FeedCursor& cursor, const v1::FeedEvent& event);

// Blocks SIGINT, SIGTERM and SIGUSR2 in the calling thread and every thread
// it starts after: RunFeed's own thread waits for them and ends the stream
// cleanly (the cursor saved). Call before any gRPC channel is made.
void BlockFeedSignals();

// Runs the command; the process's exit code (0: the stream ended as asked
// or on SIGINT/SIGTERM; 1: central refused or the stream failed; 2: a bad
// option or cursor file).
int RunFeed(v1::CentralAdminService::Stub& stub, const FeedOptions& options);

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_CTL_FEED_H_
