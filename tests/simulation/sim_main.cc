// storeagent-sim: the durability simulations of issue #12, as a program so
// a failure is replayed by hand.
//
//  * --seeds N [--first S]: the deterministic sync simulation (sync_sim.h)
//    over seeds S..S+N-1, or for --budget-s seconds, whichever ends first;
//    a failing seed is named with the command that replays it.
//  * --seed S --trace: one seed, printing its trace (the same, line for
//    line, every time: the seed is the whole run).
//  * --powerloss: the crash-point sweep (powerloss.h).
//
// Output: comment lines (#) on what ran, then one line per figure,
// NAME VALUE. Exit 0 when the figures hold (no seed failed; no
// acknowledged event lost at synchronous=FULL, none unrecoverable, and the
// test of the test saw losses under synchronous=NORMAL and with a skipped
// sync), 1 when not, 2 on a usage error.
#include <malloc.h>

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include "platform/cli.h"
#include "platform/clock.h"
#include "platform/log.h"
#include "tests/simulation/powerloss.h"
#include "tests/simulation/sync_sim.h"

namespace {

using storeagent::sim::PowerlossFigures;
using storeagent::sim::PowerlossOptions;

// Runs one sweep and prints its comment lines; nullopt when the harness
// itself failed (printed).
std::optional<PowerlossFigures> Sweep(const char* name,
                                      const PowerlossOptions& options) {
  const storeagent::Clock& clock = storeagent::SystemClock();
  const int64_t started = clock.MonotonicMicros();
  PowerlossFigures f = storeagent::sim::RunPowerlossSweep(options);
  const double seconds =
      static_cast<double>(clock.MonotonicMicros() - started) / 1e6;
  if (!f.harness_error.empty()) {
    std::fprintf(stderr, "storeagent-sim: %s sweep: %s\n", name,
                 f.harness_error.c_str());
    return std::nullopt;
  }
  std::printf(
      "# %s: %llu crash points (the workload syncs the database file %llu "
      "times) "
      "in %.1f s, %llu acks given, %llu lost, %llu unrecoverable; unsynced "
      "writes at the crashes: %llu written, %llu dropped, %llu torn\n",
      name, static_cast<unsigned long long>(f.crash_points),
      static_cast<unsigned long long>(f.database_crash_points), seconds,
      static_cast<unsigned long long>(f.acks),
      static_cast<unsigned long long>(f.lost_acks),
      static_cast<unsigned long long>(f.unrecoverable),
      static_cast<unsigned long long>(f.writes_kept),
      static_cast<unsigned long long>(f.writes_dropped),
      static_cast<unsigned long long>(f.writes_torn));
  for (const std::string& failure : f.failures) {
    std::printf("#   %s\n", failure.c_str());
  }
  return f;
}

int Powerloss(uint64_t seed, int events) {
  PowerlossOptions full;
  full.seed = seed;
  full.events = events;
  std::printf(
      "# power-loss sweep, seed %llu, %d events: every sync of the workload "
      "is a crash point, and its end\n",
      static_cast<unsigned long long>(seed), events);
  std::fflush(stdout);
  std::optional<PowerlossFigures> f = Sweep("synchronous=FULL", full);
  PowerlossOptions normal = full;
  normal.synchronous_normal = true;
  std::optional<PowerlossFigures> n = Sweep("synchronous=NORMAL", normal);
  PowerlossOptions skipped = full;
  skipped.skip_sync_before_crash = true;
  // A test of the test needs a loss, not every point: a third of them.
  skipped.stride = 3;
  std::optional<PowerlossFigures> s = Sweep(
      "synchronous=FULL, the sync before every third crash point "
      "skipped",
      skipped);
  if (!f || !n || !s) return storeagent::platform::kExitFailure;
  std::printf("powerloss_crash_points %llu\n",
              static_cast<unsigned long long>(f->crash_points));
  std::printf("powerloss_lost_acks %llu\n",
              static_cast<unsigned long long>(f->lost_acks));
  std::printf("powerloss_unrecoverable %llu\n",
              static_cast<unsigned long long>(f->unrecoverable));
  std::printf("powerloss_lost_acks_normal %llu\n",
              static_cast<unsigned long long>(n->lost_acks));
  std::printf("powerloss_lost_acks_skipped_sync %llu\n",
              static_cast<unsigned long long>(s->lost_acks));
  bool held = true;
  if (f->lost_acks != 0 || f->unrecoverable != 0) {
    std::printf("# FAILED: acknowledged events lost at synchronous=FULL\n");
    held = false;
  }
  if (n->lost_acks == 0) {
    std::printf("# FAILED: the sweep saw no loss under synchronous=NORMAL\n");
    held = false;
  }
  if (s->lost_acks == 0) {
    std::printf("# FAILED: the sweep saw no loss with a skipped sync\n");
    held = false;
  }
  return held ? storeagent::platform::kExitOk
              : storeagent::platform::kExitFailure;
}

int Seeds(uint64_t first, uint64_t count, int stores, int steps,
          double budget_s, bool require_all) {
  const storeagent::Clock& clock = storeagent::SystemClock();
  const int64_t started = clock.MonotonicMicros();
  uint64_t run = 0;
  uint64_t failed = 0;
  uint64_t faults = 0;
  uint64_t messages = 0;
  for (uint64_t seed = first; run < count; ++seed) {
    if (budget_s > 0 &&
        static_cast<double>(clock.MonotonicMicros() - started) / 1e6 >=
            budget_s) {
      break;
    }
    storeagent::sim::SyncSimOptions o;
    o.seed = seed;
    o.stores = stores;
    o.steps = steps;
    storeagent::sim::SyncSimResult r = storeagent::sim::RunSyncSim(o);
    ++run;
    if (!r.harness_error.empty()) {
      std::fprintf(stderr, "storeagent-sim: seed %llu: harness: %s\n",
                   static_cast<unsigned long long>(seed),
                   r.harness_error.c_str());
      return storeagent::platform::kExitFailure;
    }
    faults += r.faults_injected;
    messages += r.messages_delivered;
    if (!r.failures.empty()) {
      ++failed;
      std::printf(
          "# seed %llu FAILED (replay: storeagent-sim --seed %llu "
          "--stores %d --steps %d --trace):\n",
          static_cast<unsigned long long>(seed),
          static_cast<unsigned long long>(seed), stores, steps);
      for (size_t i = 0; i < r.failures.size() && i < 5; ++i) {
        std::printf("#   %s\n", r.failures[i].c_str());
      }
      std::fflush(stdout);
    }
  }
  const double seconds =
      static_cast<double>(clock.MonotonicMicros() - started) / 1e6;
  std::printf(
      "# %llu seeds from %llu, %d stores, %d steps each, in %.1f s; "
      "%llu messages delivered\n",
      static_cast<unsigned long long>(run),
      static_cast<unsigned long long>(first), stores, steps, seconds,
      static_cast<unsigned long long>(messages));
  std::printf("sim_seeds_run %llu\n", static_cast<unsigned long long>(run));
  std::printf("sim_failures %llu\n", static_cast<unsigned long long>(failed));
  std::printf("sim_seeds_per_s %.1f\n",
              seconds > 0 ? static_cast<double>(run) / seconds : 0.0);
  std::printf("sim_faults_injected %llu\n",
              static_cast<unsigned long long>(faults));
  if (require_all && run < count) {
    std::printf(
        "# FAILED: the budget of %.0f s ended the run after %llu of %llu "
        "seeds (--require-all-seeds)\n",
        budget_s, static_cast<unsigned long long>(run),
        static_cast<unsigned long long>(count));
    return storeagent::platform::kExitFailure;
  }
  return failed == 0 ? storeagent::platform::kExitOk
                     : storeagent::platform::kExitFailure;
}

int Trace(uint64_t seed, int stores, int steps) {
  storeagent::sim::SyncSimOptions o;
  o.seed = seed;
  o.stores = stores;
  o.steps = steps;
  o.keep_trace = true;
  storeagent::sim::SyncSimResult r = storeagent::sim::RunSyncSim(o);
  if (!r.harness_error.empty()) {
    std::fprintf(stderr, "storeagent-sim: seed %llu: harness: %s\n",
                 static_cast<unsigned long long>(seed),
                 r.harness_error.c_str());
    return storeagent::platform::kExitFailure;
  }
  for (const std::string& line : r.trace) std::printf("%s\n", line.c_str());
  std::printf("# trace_hash %016llx\n",
              static_cast<unsigned long long>(r.trace_hash));
  std::printf("sim_seeds_run 1\n");
  std::printf("sim_failures %d\n", r.failures.empty() ? 0 : 1);
  std::printf("sim_faults_injected %llu\n",
              static_cast<unsigned long long>(r.faults_injected));
  return r.failures.empty() ? storeagent::platform::kExitOk
                            : storeagent::platform::kExitFailure;
}

}  // namespace

int main(int argc, char** argv) {
  // A seed builds and drops whole worlds (two agents' and central's
  // databases, their threads' allocations) thousands of times. With glibc's
  // default 128 KiB trim threshold each drop handed a thread arena's top
  // back to the kernel (madvise, a TLB shootdown on every core): 40 % of
  // the run's time, system time as much as user time (docs/testing.md,
  // "Deterministic sync simulation"). Kept: memory is reused by the next
  // world.
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  CLI::App app(
      "storeagent-sim - the simulations of issue #12. --seeds N runs the "
      "deterministic sync simulation (a store's agent and central over a "
      "simulated network with faults, crashes and restarts) for N seeds; "
      "--seed S --trace replays one seed and prints its trace; --powerloss "
      "runs the crash-point sweep (every sync of a scripted workload loses "
      "power there; the reopened journal must hold every acknowledged "
      "event).",
      "storeagent-sim");
  bool powerloss = false;
  uint64_t seed = 1;
  int events = 160;
  app.add_flag("--powerloss", powerloss,
               "run the power-loss sweep at synchronous=FULL, and its test "
               "of itself (synchronous=NORMAL, a skipped sync: both must "
               "lose acknowledged events)");
  uint64_t seeds = 0;
  uint64_t first = 1;
  bool trace = false;
  int stores = 2;
  int steps = 120;
  double budget_s = 0;
  std::string log_level = "error";
  app.add_option("--seeds", seeds,
                 "run the sync simulation for this many seeds (from --first)")
      ->check(CLI::Range(uint64_t{1}, uint64_t{100000000}));
  app.add_option("--first", first, "the first seed of --seeds")
      ->capture_default_str();
  app.add_option("--budget-s", budget_s,
                 "with --seeds: stop after this many seconds even if seeds "
                 "remain (0: no limit); a soak raises --seeds and this")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1e7));
  bool require_all = false;
  app.add_flag("--require-all-seeds", require_all,
               "with --seeds and --budget-s: fail when the budget ends the "
               "run before every seed ran (CI's runs: the budget is a bound, "
               "not a way to run fewer)");
  app.add_flag("--trace", trace,
               "with --seed: run that one seed and print its trace");
  app.add_option("--stores", stores, "stores in each simulated run")
      ->capture_default_str()
      ->check(CLI::Range(1, 8));
  app.add_option("--steps", steps,
                 "workload and fault steps of each run before the heal")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  app.add_option("--log", log_level,
                 "the product's log level during simulations (debug, info, "
                 "warn, error)")
      ->capture_default_str();
  app.add_option("--seed", seed,
                 "with --trace: the seed to replay; with --powerloss: seeds "
                 "the fate of each unsynced write at the crashes")
      ->capture_default_str();
  app.add_option("--events", events,
                 "events in the workload; more makes more crash points "
                 "(the default passes SQLite's automatic checkpoint)")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  storeagent::platform::AddVersionFlag(app);
  if (std::optional<int> code =
          storeagent::platform::ParseCommandLine(app, argc, argv)) {
    return *code;
  }
  const int modes = (powerloss ? 1 : 0) + (seeds > 0 ? 1 : 0) + (trace ? 1 : 0);
  if (modes != 1) {
    std::fprintf(stderr,
                 "storeagent-sim: say what to run, one of: --seeds N, "
                 "--seed S --trace, --powerloss\n"
                 "Run with --help for more information.\n");
    return storeagent::platform::kExitUsage;
  }
  storeagent::ConfigureLog(log_level, "text");
  if (powerloss) return Powerloss(seed, events);
  if (trace) return Trace(seed, stores, steps);
  return Seeds(first, seeds, stores, steps, budget_s, require_all);
}
