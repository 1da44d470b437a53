#include "bench/load_driver.h"

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "bench/percentile.h"
#include "platform/clock.h"

namespace storeagent::bench {
namespace {

// Longest a single call may take before it counts as failed.
constexpr int64_t kCallDeadlineMs = 60'000;
// Longest a client thread waits on its queue before looking at the clock.
constexpr int64_t kMaxWaitUs = 100'000;
// How long a channel may take to connect before the run starts.
constexpr int64_t kConnectTimeoutMs = 10'000;

int64_t NowUs() { return SystemClock().MonotonicMicros(); }

// User + system CPU time of this process, seconds.
double ProcessCpuSeconds() {
  struct rusage ru;
  ::getrusage(RUSAGE_SELF, &ru);
  auto secs = [](const struct timeval& tv) {
    return static_cast<double>(tv.tv_sec) +
           static_cast<double>(tv.tv_usec) / 1e6;
  };
  return secs(ru.ru_utime) + secs(ru.ru_stime);
}

struct ThreadResult {
  uint64_t ok = 0;
  uint64_t failed = 0;
  int64_t last_done_us = 0;
  std::vector<int64_t> latency_us;
  std::string first_error;
};

struct RunShared {
  const LoadSpec* spec;
  const SlotFactory* slots;
  int64_t start_us;
  int64_t end_us;
  int64_t interval_us;  // per thread, paced only
  std::atomic<uint64_t> issued{0};
};

// Claims one call from the run's budget; false once it is spent.
bool ClaimCall(RunShared& run) {
  if (run.spec->max_calls == 0) return true;
  return run.issued.fetch_add(1) < run.spec->max_calls;
}

void Complete(CallSlot* slot, const LoadSpec& spec, ThreadResult& out) {
  const int64_t done = NowUs();
  out.last_done_us = std::max(out.last_done_us, done);
  if (slot->status().ok()) {
    ++out.ok;
    if (spec.keep_latencies) {
      out.latency_us.push_back(done - slot->intended_start_us);
    }
    return;
  }
  ++out.failed;
  if (out.first_error.empty()) {
    out.first_error = std::to_string(slot->status().error_code()) + ": " +
                      slot->status().error_message();
  }
}

void ClientThread(RunShared& run, int thread,
                  std::shared_ptr<grpc::Channel> channel, ThreadResult& out) {
  const LoadSpec& spec = *run.spec;
  std::unique_ptr<v1::PosService::Stub> stub = v1::PosService::NewStub(channel);
  grpc::CompletionQueue cq;
  std::vector<std::unique_ptr<CallSlot>> owned;
  std::vector<CallSlot*> idle;
  for (int i = 0; i < spec.depth; ++i) {
    owned.push_back((*run.slots)(stub.get(), thread, i));
    idle.push_back(owned.back().get());
  }
  const bool paced = run.interval_us > 0;
  // Threads take turns on the schedule: thread t sends at t/threads of it.
  int64_t next_send =
      run.start_us + (paced ? run.interval_us * thread / spec.threads : 0);
  int in_flight = 0;
  bool sending = true;
  for (;;) {
    int64_t now = NowUs();
    if (now >= run.end_us) sending = false;
    while (sending && !idle.empty() && (!paced || now >= next_send)) {
      if (!ClaimCall(run)) {
        sending = false;
        break;
      }
      CallSlot* slot = idle.back();
      idle.pop_back();
      slot->intended_start_us = paced ? next_send : now;
      if (paced) next_send += run.interval_us;
      slot->Start(&cq);
      ++in_flight;
    }
    if (!sending && in_flight == 0) break;
    int64_t wait_us = kMaxWaitUs;
    if (sending && paced && !idle.empty()) {
      wait_us = std::clamp<int64_t>(next_send - now, 0, kMaxWaitUs);
    }
    void* tag = nullptr;
    bool ok = false;
    grpc::CompletionQueue::NextStatus st =
        cq.AsyncNext(&tag, &ok,
                     gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC),
                                  gpr_time_from_micros(wait_us, GPR_TIMESPAN)));
    if (st != grpc::CompletionQueue::GOT_EVENT) continue;
    auto* slot = static_cast<CallSlot*>(tag);
    --in_flight;
    Complete(slot, spec, out);
    idle.push_back(slot);
  }
  cq.Shutdown();
  void* tag = nullptr;
  bool ok = false;
  while (cq.Next(&tag, &ok)) {
  }
}

}  // namespace

grpc::ClientContext* CallSlot::NewContext() {
  ctx_ = std::make_unique<grpc::ClientContext>();
  ctx_->set_deadline(std::chrono::system_clock::now() +
                     std::chrono::milliseconds(kCallDeadlineMs));
  return ctx_.get();
}

void LoadResult::Add(const LoadResult& other) {
  ok += other.ok;
  failed += other.failed;
  seconds += other.seconds;
  cpu_seconds += other.cpu_seconds;
  latency_us.insert(latency_us.end(), other.latency_us.begin(),
                    other.latency_us.end());
  if (first_error.empty()) first_error = other.first_error;
}

double LoadResult::PercentileMs(double p) const {
  std::vector<int64_t> samples = latency_us;
  return bench::PercentileMs(samples, p);
}

std::shared_ptr<grpc::Channel> OwnChannel(const std::string& target) {
  grpc::ChannelArguments args;
  // Each client thread is its own till: its own connection.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(),
                                   args);
}

LoadResult RunLoad(const LoadSpec& spec, const ChannelFactory& channels,
                   const SlotFactory& slots) {
  std::vector<std::shared_ptr<grpc::Channel>> chans;
  for (int t = 0; t < spec.threads; ++t) {
    chans.push_back(channels());
    chans.back()->WaitForConnected(
        std::chrono::system_clock::now() +
        std::chrono::milliseconds(kConnectTimeoutMs));
  }
  RunShared run;
  run.spec = &spec;
  run.slots = &slots;
  run.interval_us =
      spec.pace_per_s > 0 ? 1'000'000LL * spec.threads / spec.pace_per_s : 0;
  std::vector<ThreadResult> results(static_cast<size_t>(spec.threads));
  std::vector<std::thread> threads;
  const double cpu_start = ProcessCpuSeconds();
  run.start_us = NowUs();
  run.end_us = run.start_us + spec.duration_us;
  for (int t = 0; t < spec.threads; ++t) {
    threads.emplace_back(ClientThread, std::ref(run), t, chans[t],
                         std::ref(results[t]));
  }
  for (std::thread& th : threads) th.join();
  const double cpu_used = ProcessCpuSeconds() - cpu_start;

  LoadResult total;
  int64_t last_done = run.start_us;
  for (ThreadResult& r : results) {
    total.ok += r.ok;
    total.failed += r.failed;
    last_done = std::max(last_done, r.last_done_us);
    total.latency_us.insert(total.latency_us.end(), r.latency_us.begin(),
                            r.latency_us.end());
    if (total.first_error.empty()) total.first_error = r.first_error;
  }
  total.seconds = static_cast<double>(last_done - run.start_us) / 1e6;
  total.cpu_seconds = cpu_used;
  return total;
}

}  // namespace storeagent::bench
