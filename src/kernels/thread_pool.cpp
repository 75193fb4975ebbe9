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
// sleeps. How long each spins adapts (SpinBudget): on a busy machine the
// spins shrink to nothing, and a thread that would only burn a core that
// another thread needs goes to sleep at once.
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

// A spin budget that learns whether spinning pays. On an otherwise idle
// machine the awaited change comes within microseconds, each spin ends in
// success and the budget stays at its maximum (~100 µs of pauses). When
// there are more runnable threads than cores (other programs, parallel
// tests), the thread we wait for may be waiting for OUR core: the spin
// fails, the budget shrinks fourfold each time, and we soon go straight to
// sleep, which is then the faster way.
class SpinBudget {
 public:
  template <class Done>
  bool spin_until(Done done) {
    for (int i = 0; i < rounds_; ++i) {
      if (done()) {
        rounds_ = std::min(kMaxRounds, 2 * rounds_ + 8);
        return true;
      }
      cpu_relax();
    }
    rounds_ /= 4;
    return done();
  }

 private:
  static constexpr int kMaxRounds = 4096;  // a pause is ~10–50 ns
  int rounds_ = kMaxRounds;
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
    pending_.store(workers);
    generation_.fetch_add(1);  // publishes job_ and pending_
    if (sleepers_.load() > 0) {
      { std::lock_guard<std::mutex> lock(m_); }  // a sleeper is in wait() or sees the job
      work_cv_.notify_all();
    }

    t_in_parallel = true;
    run_chunk(job_, 0);
    t_in_parallel = false;

    if (!caller_spin_.spin_until([this] { return pending_.load() == 0; })) {
      std::unique_lock<std::mutex> lock(m_);
      caller_sleeping_.store(true);
      done_cv_.wait(lock, [this] { return pending_.load() == 0; });
      caller_sleeping_.store(false);
    }
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
  bool wait_for_job(std::uint64_t seen, SpinBudget& spin) {
    const auto ready = [&] { return stop_.load() || generation_.load() != seen; };
    if (!spin.spin_until(ready)) {
      std::unique_lock<std::mutex> lock(m_);
      sleepers_.fetch_add(1);
      work_cv_.wait(lock, ready);
      sleepers_.fetch_sub(1);
    }
    return !stop_.load();
  }

  void worker_loop(int w, std::uint64_t seen) {
    t_in_parallel = true;
    SpinBudget spin;
    while (wait_for_job(seen, spin)) {
      seen = generation_.load();
      const Job job = job_;
      if (w < job.chunks) run_chunk(job, w);
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
  std::atomic<int> sleepers_{0};
  std::atomic<bool> caller_sleeping_{false};
  std::atomic<bool> stop_{false};
  std::atomic<int> size_{1};
  SpinBudget caller_spin_;  // used under dispatch_
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

int num_threads() { return pool().size(); }

namespace detail {

void run_parallel(int begin, int end, ChunkFn fn, const void* ctx) {
  if (end <= begin) return;
  check(static_cast<std::int64_t>(end) - begin <= INT32_MAX, "parallel_for: range [",
        begin, ", ", end, ") has more than 2^31 - 1 items");
  // Serial when nested, when single-threaded, or when there is one item.
  if (t_in_parallel || num_threads() == 1 || end - begin == 1) {
    fn(ctx, begin, end);
    return;
  }
  pool().run(begin, end, fn, ctx);
}

}  // namespace detail

}  // namespace hg::kernels
