// The thread pool behind parallel_for. See thread_pool.hpp for the contract.
//
// How one call goes: the caller writes the job (function, context, range,
// chunk count) into `job_`, sets `pending_` to the number of workers and
// bumps `generation_`. Worker w (1, 2, ...) sees the new generation, runs
// chunk w if there is one, and counts `pending_` down; the caller runs
// chunk 0, waits for `pending_` to reach 0, then rethrows the first
// exception any chunk raised. Every worker answers every job, even with no
// chunk to run: the caller must know nobody still reads `job_` before it
// writes the next one.
//
// Why spin: a training step calls parallel_for a few dozen times, often on
// work of 10–100 µs. Waking a thread that sleeps in the kernel (a futex)
// costs several microseconds on bare metal and far more in a virtual
// machine, so a worker that has just finished a job watches `generation_`
// for a while before it sleeps, and the caller watches `pending_` before it
// sleeps. How long each spins adapts (SpinWait), and past the first
// microseconds a spinning thread offers its core to others on every look:
// on a busy machine the spins shrink to almost nothing, and a thread that
// would only burn a core another thread needs gives it up.
//
// Sleeping without losing a wake-up: a worker announces itself in
// `sleepers_` before it checks `generation_` one last time under the mutex;
// the caller bumps `generation_` before it reads `sleepers_`. All four are
// sequentially consistent, so at least one side sees the other: either the
// worker sees the new job and does not sleep, or the caller sees a sleeper
// and notifies under the mutex. The caller's own sleep uses the same
// handshake with `caller_sleeping_`.
#include "hourglass/kernels/thread_pool.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#include "hourglass/error.hpp"

namespace hg::kernels {

namespace {

// True on a pool worker, and on the caller while it runs its own chunk:
// a parallel_for from there runs serially.
thread_local bool t_in_parallel = false;

// Tells the core we are in a spin loop: it saves power and lets the other
// hyper-thread run, and the loop leaves faster when the value changes.
inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#endif
}

using Clock = std::chrono::steady_clock;

// Nanoseconds on the steady clock, storable in an atomic.
inline std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

// Waits for done(): spins for up to a budget, then calls sleep(), which
// blocks until done(). The budget learns whether spinning pays, from two
// signs of a busy machine (more runnable threads than cores: other
// programs, parallel tests), where a spinning thread may be holding the
// very core that the thread it waits for needs:
//   - the spinning thread itself was preempted (its clock jumped between
//     two looks): the budget drops to kMinSpin and it sleeps at once;
//   - the awaited event (its time, happened_ns(), written by the other
//     thread) came too late for a full spin to catch it: the budget halves.
// Otherwise the budget doubles, up to kMaxSpin. On an idle machine the
// other thread answers within microseconds and nobody pays for a wake-up,
// which in a virtual machine takes tens of microseconds.
class SpinWait {
 public:
  template <class Done, class Sleep, class Happened>
  void wait(Done done, Sleep sleep, Happened happened_ns) {
    const std::int64_t start = now_ns();
    std::int64_t last = start;
    while (!done()) {
      for (int i = 0; i < 32 && !done(); ++i) cpu_relax();  // ~1 µs
      const std::int64_t t = now_ns();
      const bool preempted = t - last > kPreempted;
      last = t;
      if (preempted) budget_ns_ = kMinSpin;
      if (t - start < budget_ns_) {
        // Past the first microseconds, offer the core to any thread that
        // waits for it (it may be the one we wait for); on an idle core
        // this returns at once.
        if (t - start > kYieldAfter) std::this_thread::yield();
        continue;
      }
      sleep();
      break;
    }
    if (happened_ns() - start < kMaxSpin)
      budget_ns_ = std::min(kMaxSpin, 2 * budget_ns_);
    else
      budget_ns_ = std::max(kMinSpin, budget_ns_ / 2);
  }

 private:
  static constexpr std::int64_t kMaxSpin = 100'000, kMinSpin = 1'000;  // ns
  static constexpr std::int64_t kPreempted = 30'000;  // a look takes ~1 µs
  static constexpr std::int64_t kYieldAfter = 5'000;
  std::int64_t budget_ns_ = kMaxSpin;
};

class Pool {
 public:
  ~Pool() { stop_workers(); }

  int size() const { return size_.load(std::memory_order_relaxed); }

  void resize(int n) {
    std::lock_guard<std::mutex> turn(dispatch_);
    if (n == size()) return;
    stop_workers();
    // A new worker must know the jobs before it as done, even if it first
    // runs after the next job is published: it starts from this generation.
    const std::uint64_t now = generation_.load();
    for (int w = 1; w < n; ++w) workers_.emplace_back([this, w, now] { worker_loop(w, now); });
    size_.store(n, std::memory_order_relaxed);
  }

  void run(int begin, int end, detail::ChunkFn fn, const void* ctx) {
    std::lock_guard<std::mutex> turn(dispatch_);  // one job at a time
    const int n = end - begin;
    const int workers = size() - 1;
    job_ = {fn, ctx, begin, n, std::min(n, size())};
    error_ = nullptr;
    published_ns_.store(now_ns());
    finished_ns_.store(0);
    pending_.store(workers);
    generation_.fetch_add(1);  // publishes job_ and pending_
    if (sleepers_.load() > 0) {
      { std::lock_guard<std::mutex> lock(m_); }  // a sleeper is in wait() or sees the job
      work_cv_.notify_all();
    }

    t_in_parallel = true;
    run_chunk(job_, 0);
    t_in_parallel = false;

    const auto all_done = [this] { return pending_.load() == 0; };
    caller_wait_.wait(
        all_done,
        [&] {
          std::unique_lock<std::mutex> lock(m_);
          caller_sleeping_.store(true);
          done_cv_.wait(lock, all_done);
          caller_sleeping_.store(false);
        },
        [this] { return finished_ns_.load(); });
    if (error_) {
      std::exception_ptr e = error_;
      error_ = nullptr;
      std::rethrow_exception(e);
    }
  }

 private:
  struct Job {
    detail::ChunkFn fn = nullptr;
    const void* ctx = nullptr;
    int begin = 0, n = 0, chunks = 0;
  };

  // Chunk c of `chunks` covers [begin + n·c/chunks, begin + n·(c+1)/chunks):
  // sizes differ by at most one, and the chunks tile the range exactly.
  void run_chunk(const Job& job, int c) {
    const auto bound = [&](int k) {
      return job.begin + static_cast<int>(static_cast<std::int64_t>(job.n) * k / job.chunks);
    };
    try {
      job.fn(job.ctx, bound(c), bound(c + 1));
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_m_);
      if (!error_) error_ = std::current_exception();
    }
  }

  // Waits for a generation other than `seen` (or for stop_): spins first,
  // then sleeps. Returns false on stop.
  bool wait_for_job(std::uint64_t seen, SpinWait& spin) {
    const auto ready = [&] { return stop_.load() || generation_.load() != seen; };
    spin.wait(
        ready,
        [&] {
          std::unique_lock<std::mutex> lock(m_);
          sleepers_.fetch_add(1);
          work_cv_.wait(lock, ready);
          sleepers_.fetch_sub(1);
        },
        [this] { return published_ns_.load(); });
    return !stop_.load();
  }

  void worker_loop(int w, std::uint64_t seen) {
    t_in_parallel = true;
    SpinWait spin;
    while (wait_for_job(seen, spin)) {
      seen = generation_.load();
      const Job job = job_;
      if (w < job.chunks) run_chunk(job, w);
      // finished_ns_ = max(finished_ns_, now): when the last worker ended.
      const std::int64_t t = now_ns();
      std::int64_t seen_t = finished_ns_.load();
      while (seen_t < t && !finished_ns_.compare_exchange_weak(seen_t, t)) {
      }
      if (pending_.fetch_sub(1) == 1 && caller_sleeping_.load()) {
        { std::lock_guard<std::mutex> lock(m_); }  // the caller is in wait() or sees 0
        done_cv_.notify_one();
      }
    }
  }

  void stop_workers() {
    {
      std::lock_guard<std::mutex> lock(m_);
      stop_.store(true);
    }
    work_cv_.notify_all();
    for (std::thread& t : workers_) t.join();
    workers_.clear();
    stop_.store(false);
    size_.store(1, std::memory_order_relaxed);
  }

  std::mutex dispatch_;  // held for a whole job or resize
  std::mutex m_;         // for the two condition variables only
  std::condition_variable work_cv_, done_cv_;
  std::vector<std::thread> workers_;
  Job job_;  // written before generation_ is bumped, read after
  std::mutex error_m_;
  std::exception_ptr error_;
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<int> pending_{0};
  std::atomic<std::int64_t> published_ns_{0};  // when the current job was published
  std::atomic<std::int64_t> finished_ns_{0};   // when its last worker finished
  std::atomic<int> sleepers_{0};
  std::atomic<bool> caller_sleeping_{false};
  std::atomic<bool> stop_{false};
  std::atomic<int> size_{1};
  SpinWait caller_wait_;  // used under dispatch_
};

Pool& pool() {
  static Pool p;
  return p;
}

}  // namespace

void set_num_threads(int n) {
  check(n >= 1 && n <= 1024, "set_num_threads: n=", n, ", expected 1 <= n <= 1024");
  check(!t_in_parallel, "set_num_threads: called inside parallel_for, expected outside");
  pool().resize(n);
}

// Inside a chunk, parallel_for runs serially: one thread is what it will use.
int num_threads() { return t_in_parallel ? 1 : pool().size(); }

namespace detail {

void run_parallel(int begin, int end, ChunkFn fn, const void* ctx) {
  if (end <= begin) return;
  check(static_cast<std::int64_t>(end) - begin <= INT32_MAX, "parallel_for: range [",
        begin, ", ", end, ") has more than 2^31 - 1 items");
  // Serial when nested, when single-threaded, or when there is one item.
  if (num_threads() == 1 || end - begin == 1) {
    fn(ctx, begin, end);
    return;
  }
  pool().run(begin, end, fn, ctx);
}

}  // namespace detail

}  // namespace hg::kernels
