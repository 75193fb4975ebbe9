// The thread pool behind parallel_for. See thread_pool.hpp for the contract.
//
// How one call goes: the caller publishes the job (function, context,
// range, chunk count) under the mutex, bumps `generation_` and wakes the
// workers. Worker w (1, 2, ...) runs chunk w if there is one; the caller
// runs chunk 0. Each worker that ran a chunk decrements `pending_`; the
// last one wakes the caller, which then rethrows the first exception any
// chunk raised. The generation counter, rather than a "job ready" flag,
// lets a worker tell a new job from the one it has already done.
#include "hourglass/kernels/thread_pool.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "hourglass/error.hpp"

namespace hg::kernels {

namespace {

// True on a pool worker, and on the caller while it runs its own chunk:
// a parallel_for from there runs serially.
thread_local bool t_in_parallel = false;

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
    const std::uint64_t now = generation_;
    for (int w = 1; w < n; ++w) workers_.emplace_back([this, w, now] { worker_loop(w, now); });
    size_.store(n, std::memory_order_relaxed);
  }

  void run(int begin, int end, detail::ChunkFn fn, const void* ctx) {
    std::lock_guard<std::mutex> turn(dispatch_);  // one job at a time
    const int n = end - begin;
    const int chunks = std::min(n, size());
    std::unique_lock<std::mutex> lock(m_);
    job_ = {fn, ctx, begin, n, chunks};
    error_ = nullptr;
    pending_ = chunks - 1;
    ++generation_;
    lock.unlock();
    work_cv_.notify_all();

    t_in_parallel = true;
    run_chunk(job_, 0);
    t_in_parallel = false;

    lock.lock();
    done_cv_.wait(lock, [this] { return pending_ == 0; });
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
      std::lock_guard<std::mutex> lock(m_);
      if (!error_) error_ = std::current_exception();
    }
  }

  void worker_loop(int w, std::uint64_t seen) {
    t_in_parallel = true;
    std::unique_lock<std::mutex> lock(m_);
    for (;;) {
      work_cv_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
      const Job job = job_;
      if (w >= job.chunks) continue;  // fewer chunks than threads
      lock.unlock();
      run_chunk(job, w);
      lock.lock();
      if (--pending_ == 0) done_cv_.notify_one();
    }
  }

  void stop_workers() {
    {
      std::lock_guard<std::mutex> lock(m_);
      stop_ = true;
    }
    work_cv_.notify_all();
    for (std::thread& t : workers_) t.join();
    workers_.clear();
    stop_ = false;
    size_.store(1, std::memory_order_relaxed);
  }

  std::mutex dispatch_;  // held for a whole job or resize
  std::mutex m_;         // guards everything below
  std::condition_variable work_cv_, done_cv_;
  std::vector<std::thread> workers_;
  Job job_;
  std::exception_ptr error_;
  std::uint64_t generation_ = 0;
  int pending_ = 0;
  bool stop_ = false;
  std::atomic<int> size_{1};
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
