// storeagentctl sync status, and the sync lines of `storeagentctl status`.
#include <google/protobuf/util/json_util.h>

#include <cstdio>
#include <memory>

#include "agent/ctl/commands.h"
#include "platform/status.h"
#include "storeagent/v1/pos.grpc.pb.h"

namespace storeagent::ctl {
namespace {

unsigned long long U(uint64_t v) { return static_cast<unsigned long long>(v); }

Result<v1::GetSyncStatusResponse> FetchSyncStatus(Target& t) {
  auto stub = v1::PosService::NewStub(OpenChannel(t));
  grpc::ClientContext ctx;
  SetDeadline(ctx, t);
  v1::GetSyncStatusResponse st;
  grpc::Status s = stub->GetSyncStatus(&ctx, {}, &st);
  if (!s.ok()) return Unavailable(RpcError(s));
  return st;
}

void PrintLines(const v1::GetSyncStatusResponse& st) {
  if (!st.enabled()) {
    std::printf("sync            off ([sync] not configured)\n");
    return;
  }
  std::printf("sync            %s\n",
              st.connected() ? "connected"
              : st.stopped()
                  ? "stopped (dialling cannot help until the last error is "
                    "fixed; then SIGHUP or restart storeagentd)"
                  : "not connected");
  std::printf("last exchange   %s\n",
              st.last_exchange_us() == 0
                  ? "never (since start)"
                  : FormatTime(st.last_exchange_us()).c_str());
  std::printf("outbox depth    %llu (head %llu, central acked %llu)\n",
              U(st.outbox_depth()), U(st.head_seq()),
              U(st.central_acked_seq()));
  std::printf("oldest unacked  %lld ms\n",
              static_cast<long long>(st.oldest_unacked_age_ms()));
  std::printf("central applied central_seq %llu\n",
              U(st.central_seq_applied()));
  std::printf("last digest     %s",
              st.last_digest().empty() ? "none yet" : st.last_digest().c_str());
  if (!st.last_digest().empty()) {
    std::printf(" at (%llu, %llu), %llu mismatch(es) since start",
                U(st.last_digest_store_seq()), U(st.last_digest_central_seq()),
                U(st.digest_mismatches()));
  }
  std::printf("\n");
  if (!st.last_error().empty()) {
    std::printf("last error      %s\n", st.last_error().c_str());
  }
}

int ShowSyncStatus(Target& t, bool json) {
  Result<v1::GetSyncStatusResponse> st = FetchSyncStatus(t);
  if (!st.ok()) return Fail(st.status().message());
  if (json) {
    std::string out;
    google::protobuf::util::JsonPrintOptions o;
    o.always_print_primitive_fields = true;
    o.preserve_proto_field_names = true;
    if (!google::protobuf::util::MessageToJsonString(*st, &out, o).ok()) {
      return Fail("could not format the status as JSON");
    }
    std::printf("%s\n", out.c_str());
    return kExitOk;
  }
  PrintLines(*st);
  std::printf(
      "streams opened  %llu, events sent %llu, central events "
      "applied %llu, clock skew %lld us\n",
      U(st->streams_opened()), U(st->events_sent()),
      U(st->central_events_applied()),
      static_cast<long long>(st->clock_skew_us()));
  return kExitOk;
}

}  // namespace

void PrintSyncStatusLines(Target& t) {
  Result<v1::GetSyncStatusResponse> st = FetchSyncStatus(t);
  if (!st.ok()) {
    std::printf("sync            unknown (%s)\n",
                st.status().message().c_str());
    return;
  }
  PrintLines(*st);
}

void AddSyncCommands(CLI::App& app, Target& t, Action& action) {
  CLI::App* sync = app.add_subcommand("sync", "the link to central");
  sync->require_subcommand(1);
  auto json = std::make_shared<bool>(false);
  CLI::App* status = sync->add_subcommand(
      "status",
      "connected or not, last exchange, outbox depth and oldest "
      "unacknowledged event, central watermark, last digest result");
  status->add_flag("--json", *json, "one JSON object");
  status->callback(
      [&, json] { action = [&, json] { return ShowSyncStatus(t, *json); }; });
}

}  // namespace storeagent::ctl
