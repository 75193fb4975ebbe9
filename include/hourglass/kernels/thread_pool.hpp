// The thread pool: a few persistent std::threads that split a loop.
//
//   hg::kernels::set_num_threads(4);          // once, e.g. from --threads
//   hg::kernels::parallel_for(0, rows, [&](int lo, int hi) {
//     for (int i = lo; i < hi; ++i) ...;      // rows [lo, hi) of the work
//   });
//
// parallel_for cuts [begin, end) into at most num_threads() contiguous
// chunks of nearly equal size; the calling thread runs the first chunk and
// the workers the others, and the call returns when all are done. If a
// chunk throws, the first exception is rethrown in the caller after every
// chunk has finished. A parallel_for called from inside a chunk runs
// serially on that thread (no nested parallelism, no deadlock).
//
// The workers are created by set_num_threads. Between calls they spin for a
// while, then sleep on a condition variable (how long they spin adapts to
// how busy the machine is: thread_pool.cpp). A call allocates nothing: the
// pool keeps a pointer to the caller's function object, not a copy of it.
// What it is not: a task scheduler, a work-stealing queue, or a futures
// library. One parallel loop runs at a time; concurrent callers take turns.
#pragma once

#include <cstddef>

namespace hg::kernels {

// The number of threads parallel_for uses, the caller included. Default 1.
// Inside a chunk of a parallel_for it is 1 (a nested loop runs serially),
// so code that sizes its work by it (gemm, DataParallel) does not split
// what is already running in parallel.
// Throws hg::Error unless 1 <= n <= 1024, or when called inside a chunk.
void set_num_threads(int n);
int num_threads();

// Where part t begins when [0, n) is cut into `parts` nearly equal parts:
// part t is [part_begin(n, t, parts), part_begin(n, t + 1, parts)), and
// sizes differ by at most one. Loops that must agree on which thread owns
// which elements (Optimizer::for_each_part, and DataParallel's gradient sum
// and weight copies, which give thread t the part its optimizer updates)
// all cut with this one function.
inline std::size_t part_begin(std::size_t n, std::size_t t, std::size_t parts) {
  return n * t / parts;
}

namespace detail {
using ChunkFn = void (*)(const void* ctx, int lo, int hi);
void run_parallel(int begin, int end, ChunkFn fn, const void* ctx);
}  // namespace detail

// fn(lo, hi) is called on disjoint chunks that cover [begin, end) exactly;
// nothing is called when end <= begin.
template <class Fn>
void parallel_for(int begin, int end, const Fn& fn) {
  detail::run_parallel(
      begin, end,
      [](const void* ctx, int lo, int hi) { (*static_cast<const Fn*>(ctx))(lo, hi); },
      &fn);
}

// The loop over n array elements, split only when it pays: fn(lo, hi) runs
// on contiguous ranges covering [0, n), at most one per thread and none
// shorter than `grain` elements; below 2·grain (or on one thread) it is a
// single fn(0, n) on the calling thread. Handing work to an awake worker
// costs about a microsecond, so `grain` is the element count worth that:
// ~16k for a simple map (a few µs of memory traffic per thread).
template <class Fn>
void parallel_range(std::size_t n, std::size_t grain, const Fn& fn) {
  const std::size_t most = grain ? n / grain : n;
  const int threads = num_threads();
  const int chunks = most < static_cast<std::size_t>(threads) ? static_cast<int>(most) : threads;
  if (chunks < 2) {
    if (n) fn(std::size_t{0}, n);
    return;
  }
  const auto parts = static_cast<std::size_t>(chunks);
  parallel_for(0, chunks, [&](int c0, int c1) {
    fn(part_begin(n, static_cast<std::size_t>(c0), parts),
       part_begin(n, static_cast<std::size_t>(c1), parts));
  });
}

}  // namespace hg::kernels
