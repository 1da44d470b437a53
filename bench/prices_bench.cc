// bench_prices: head office's price book at a store (docs/pricing.md).
// A real storecentrald (SQLite) and storeagentd over mutual TLS, then the
// agent on its own. Figures, one line each on stdout:
//
//   price_book_publish_s          central: a 100,000-price list and 5,000
//                                 promotions (20 SKUs each) published, 8
//                                 publishers, while the store is offline
//   price_book_events             central events that carry them to it
//   price_book_load_100k_s        the store: from storeagentd's start to
//                                 GetPrices answering from the whole book
//                                 (every event applied); target <= 5
//   price_lookup_calls_per_s      GetPrices of 50 random SKUs, 8 clients
//   price_lookup_skus_per_s       the same in SKUs
//   noop_rpc_calls_per_s          Ping on the same agent, same clients
//   price_lookup_ratio_to_noop    calls/s over no-op calls/s; target >= 0.5
//   record_sales_per_s_with_check    5-line sales on the agent with the book
//   record_sales_per_s_without_check the same on an agent without a book
//   record_ratio_with_price_check with / without; target >= 0.9
//
// Lookup and record figures come from alternating one-second rounds (ping
// and lookup; with and without the check), so a slow spell of a shared
// machine hits both sides alike. `bench/run prices [--quick]`; --quick runs
// fewer rounds with the same book.
#include <grpcpp/grpcpp.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_env.h"
#include "bench/load_driver.h"
#include "bench/pos_call_slots.h"
#include "bench/price_call_slots.h"
#include "bench/report.h"
#include "platform/malloc_tuning.h"
#include "storeagent/v1/price.grpc.pb.h"
#include "storeagent/v1/sync.grpc.pb.h"
#include "tests/support/agent_process.h"
#include "tests/support/central_process.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/core/sample_events.h"

namespace storeagent::bench {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kPrices = 100'000;
constexpr int kPromotions = 5'000;
constexpr int kSkusPerPromotion = 20;
constexpr int kLookupSkus = 50;
constexpr int kClients = 8;
constexpr int kSaleLines = 5;
constexpr int kPublishers = 8;
constexpr int64_t kRoundUs = 1'000'000;

double Since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

std::string Sku(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "SKU-%05d", i);
  return buf;
}

// The fleet's list: SampleSale's SKUs at the prices its lines charge (so a
// sample sale agrees with the book and the check runs to the end), the
// rest at made-up prices.
v1::PriceList BigList() {
  v1::PriceList list;
  list.set_id("fleet");
  list.set_version(1);
  list.set_currency("EUR");
  list.mutable_scope()->set_all_stores(true);
  list.mutable_entries()->Reserve(kPrices);
  for (int i = 0; i < kPrices; ++i) {
    v1::PriceEntry* e = list.add_entries();
    e->set_sku(Sku(i));
    const bool weighed = i < kSaleLines && i % 5 == 4;
    e->set_unit(weighed ? v1::UNIT_OF_MEASURE_MILLI : v1::UNIT_OF_MEASURE_EACH);
    const int64_t price = weighed ? 1299
                                  : (i < kSaleLines ? 199 + 100 * (i % 7)
                                                    : 100 + (i * 37) % 9900);
    e->mutable_unit_price()->set_minor_units(price);
    e->mutable_unit_price()->set_currency("EUR");
  }
  return list;
}

// Promotion p over 20 SKUs past the sample ones, kinds in turn; the first
// also over SKU-00001 with the 25 off each unit the sample sale gives.
v1::Promotion MakePromotion(int p) {
  v1::Promotion promo;
  char id[16];
  std::snprintf(id, sizeof id, "P%04d", p);
  promo.set_id(id);
  promo.set_version(1);
  promo.mutable_scope()->set_all_stores(true);
  if (p == 0) promo.add_skus(Sku(1));
  for (int k = 0; promo.skus_size() < kSkusPerPromotion; ++k) {
    promo.add_skus(
        Sku(kSaleLines + (p * kSkusPerPromotion + k) % (kPrices - kSaleLines)));
  }
  if (p == 0 || p % 3 == 1) {
    promo.mutable_amount_off()->mutable_amount()->set_minor_units(25);
    promo.mutable_amount_off()->mutable_amount()->set_currency("EUR");
  } else if (p % 3 == 2) {
    promo.mutable_percent_off()->set_basis_points(1000);
  } else {
    promo.mutable_multi_buy()->set_buy(3);
    promo.mutable_multi_buy()->set_pay(2);
  }
  return promo;
}

std::string SyncToml(const testing::CentralProcess& central,
                     const std::string& tls) {
  return "[sync]\ncentral = \"" + central.sync_address() + "\"\nca_file = \"" +
         tls + "/ca.pem\"\ncert_file = \"" + tls +
         "/store-store-0001.pem\"\nkey_file = \"" + tls +
         "/store-store-0001.key\"\n";
}

v1::GetPricesResponse AskPrices(const testing::AgentProcess& agent,
                                const std::vector<std::string>& skus) {
  auto stub = v1::PriceService::NewStub(grpc::CreateChannel(
      "unix:" + agent.socket_path(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  v1::GetPricesRequest req;
  for (const std::string& s : skus) req.add_skus(s);
  v1::GetPricesResponse reply;
  if (!stub->GetPrices(&ctx, req, &reply).ok()) return {};
  return reply;
}

// Publishes the book at `central`, 8 publishers; the central events queued
// to the store, or -1 on error.
int64_t PublishBook(testing::CentralProcess& central) {
  std::atomic<int64_t> queued{0};
  std::atomic<bool> failed{false};
  {
    auto admin = central.NewAdminStub();
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(120));
    v1::PublishPriceListRequest req;
    *req.mutable_list() = BigList();
    v1::PublishPriceListResponse reply;
    const grpc::Status s = admin->PublishPriceList(&ctx, req, &reply);
    if (!s.ok()) {
      Error("publish list", s.error_message());
      return -1;
    }
    queued += reply.stores_queued();
  }
  std::atomic<int> next{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kPublishers; ++t) {
    threads.emplace_back([&] {
      auto admin = central.NewAdminStub();
      for (int p; (p = next++) < kPromotions && !failed;) {
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(30));
        v1::PublishPromotionRequest req;
        *req.mutable_promotion() = MakePromotion(p);
        v1::PublishPromotionResponse reply;
        const grpc::Status s = admin->PublishPromotion(&ctx, req, &reply);
        if (!s.ok()) {
          if (!failed.exchange(true)) {
            Error("publish promotion", s.error_message());
          }
          return;
        }
        queued += reply.stores_queued();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  return failed ? -1 : queued.load();
}

LoadResult Load(const std::string& phase, const std::string& socket,
                const LoadSpec& spec, const ChannelFactory& channels,
                const SlotFactory& slots) {
  Progress(phase);
  LoadResult r = RunLoad(spec, channels, slots);
  if (r.failed > 0 || r.ok == 0) {
    Error(phase,
          std::to_string(r.failed) + " of " + std::to_string(r.ok + r.failed) +
              " calls failed, first: " + r.first_error + " (" + socket + ")");
  }
  return r;
}

v1::RecordTransactionRequest Sale() {
  v1::RecordTransactionRequest r;
  *r.mutable_client_key() = test::SampleClientKey();
  *r.mutable_transaction() = test::SampleSale(kSaleLines);
  return r;
}

int Run(bool quick) {
  const int rounds = quick ? 2 : 5;
  const int64_t warmup_us = quick ? 300'000 : 500'000;
  testing::TempDir dir;
  const std::string tls = dir.path() + "/tls";
  const std::string ca = SourceDir() + "/installer/dev-ca";
  std::string ignored;
  if (!Capture(ca + " init " + tls + " >&2 && " + ca + " central " + tls +
                   " >&2 && " + ca + " store " + tls + " store-0001 >&2",
               &ignored)) {
    Error("setup", "installer/dev-ca failed");
    return 1;
  }
  testing::CentralOptions copts;
  copts.tls_dir = tls;
  testing::CentralProcess central(dir.path(), copts);
  testing::AgentProcess agent(dir.path(), "store-0001", SyncToml(central, tls));
  if (!central.Start() || !agent.Start()) {
    Error("setup", "could not start central and the agent");
    return 1;
  }
  // First contact (central learns the store), then the store goes offline.
  {
    auto admin = central.NewAdminStub();
    const auto deadline = Clock::now() + std::chrono::seconds(30);
    bool connected = false;
    while (!connected && Clock::now() < deadline) {
      grpc::ClientContext ctx;
      v1::GetStoreSyncStateRequest req;
      req.set_store_id("store-0001");
      v1::GetStoreSyncStateResponse state;
      connected =
          admin->GetStoreSyncState(&ctx, req, &state).ok() && state.connected();
      if (!connected)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (!connected) {
      Error("setup", "the store never connected (" + agent.log_path() + ")");
      return 1;
    }
  }
  agent.Terminate();

  Progress("publishing 100,000 prices and 5,000 promotions");
  const auto published = Clock::now();
  const int64_t events = PublishBook(central);
  if (events < 0) return 1;
  const double publish_s = Since(published);

  Progress("the store comes back and loads the book");
  const auto started = Clock::now();
  if (!agent.Start()) {
    Error("load", "the agent did not restart (" + agent.log_path() + ")");
    return 1;
  }
  // The book's version is the central_seq of the last price event applied:
  // the store's first event was none, so the whole book is central_seq
  // events + 0 .. and every one of them a price event.
  const uint64_t last = static_cast<uint64_t>(events);
  const auto deadline = started + std::chrono::seconds(600);
  while (AskPrices(agent, {Sku(0)}).book_central_seq() < last &&
         Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const double load_s = Since(started);
  const v1::GetPricesResponse check =
      AskPrices(agent, {Sku(0), Sku(kPrices - 1)});
  if (check.book_central_seq() < last || check.prices_size() != 2 ||
      !check.prices(1).found()) {
    Error("load",
          "the book was not applied within 600 s (" + agent.log_path() + ")");
    return 1;
  }
  // Central goes away: lookups and sales measure the store alone.
  central.Terminate();

  std::vector<std::string> skus;
  skus.reserve(kPrices);
  for (int i = 0; i < kPrices; ++i) skus.push_back(Sku(i));
  const std::string target = "unix:" + agent.socket_path();
  auto channels = [&] { return OwnChannel(target); };
  LoadSpec spec{.threads = kClients, .depth = 1};
  ReplyCheck replies;
  {
    PriceStubs stubs(target);
    spec.duration_us = warmup_us;
    Load("warm-up lookups", target, spec, stubs.Channels(),
         PriceSlots(stubs, skus, kLookupSkus, replies));
  }
  spec.duration_us = kRoundUs;
  LoadResult noop, lookup;
  for (int r = 0; r < rounds; ++r) {
    noop.Add(Load("noop ping", target, spec, channels, PingSlots()));
    PriceStubs stubs(target);
    lookup.Add(Load("GetPrices, 50 SKUs", target, spec, stubs.Channels(),
                    PriceSlots(stubs, skus, kLookupSkus, replies)));
  }
  if (replies.bad() > 0) {
    Error("lookup", std::to_string(replies.bad()) +
                        " wrong answers, first: " + replies.first());
  }

  // The same sales on an agent without a book (nothing checked).
  const std::string plain_dir = dir.path() + "/nobook";
  ::mkdir(plain_dir.c_str(), 0755);
  testing::AgentProcess plain(plain_dir, "store-0002");
  if (!plain.Start()) {
    Error("record", "the agent without a book did not start");
    return 1;
  }
  {  // the check runs: a sample sale carries the book's version
    auto stub = agent.NewStub();
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(10));
    v1::RecordTransactionRequest req = Sale();
    req.mutable_client_key()->set_client_txn_id("check-probe");
    v1::RecordTransactionResponse rec;
    v1::GetEventResponse entry;
    grpc::ClientContext get_ctx;
    v1::GetEventRequest get;
    if (!stub->RecordTransaction(&ctx, req, &rec).ok() ||
        (get.set_seq(rec.seq()), !stub->GetEvent(&get_ctx, get, &entry).ok()) ||
        entry.record().transaction().sale().price_book_central_seq() == 0) {
      Error("record", "a sale at the agent with the book was not checked");
      return 1;
    }
  }
  const std::string plain_target = "unix:" + plain.socket_path();
  auto plain_channels = [&] { return OwnChannel(plain_target); };
  spec.duration_us = warmup_us;
  Load("warm-up record with the check", target, spec, channels,
       RecordSlots(Sale()));
  Load("warm-up record without", plain_target, spec, plain_channels,
       RecordSlots(Sale()));
  spec.duration_us = kRoundUs;
  LoadResult with, without;
  for (int r = 0; r < rounds; ++r) {
    with.Add(Load("record, price check", target, spec, channels,
                  RecordSlots(Sale())));
    without.Add(Load("record, no price book", plain_target, spec,
                     plain_channels, RecordSlots(Sale())));
  }

  Figure("price_book_publish_s", publish_s, 2, "s");
  Figure("price_book_events", static_cast<double>(events), 0, "events");
  Figure("price_book_load_100k_s", load_s, 2, "s");
  Figure("price_lookup_calls_per_s", lookup.CallsPerSecond(), 0, "calls/s");
  Figure("price_lookup_skus_per_s", lookup.CallsPerSecond() * kLookupSkus, 0,
         "skus/s");
  Figure("noop_rpc_calls_per_s", noop.CallsPerSecond(), 0, "calls/s");
  Figure("price_lookup_ratio_to_noop",
         Ratio(lookup.CallsPerSecond(), noop.CallsPerSecond()), 2, "x");
  Figure("price_lookup_p50_ms", lookup.PercentileMs(50), 2, "ms");
  Figure("price_lookup_p99_ms", lookup.PercentileMs(99), 2, "ms");
  Figure("record_sales_per_s_with_check", with.CallsPerSecond(), 0, "sales/s");
  Figure("record_sales_per_s_without_check", without.CallsPerSecond(), 0,
         "sales/s");
  Figure("record_ratio_with_price_check",
         Ratio(with.CallsPerSecond(), without.CallsPerSecond()), 2, "x");
  return Failed() ? 1 : 0;
}

}  // namespace
}  // namespace storeagent::bench

int main(int argc, char** argv) {
  // As the daemons do: the servers run in this process.
  storeagent::platform::TuneMalloc();
  bool quick = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) {
      quick = true;
    } else {
      std::fprintf(stderr, "usage: bench_prices [--quick]\n");
      return 2;
    }
  }
  return storeagent::bench::Run(quick);
}
