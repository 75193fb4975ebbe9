// Tests for the thread pool: every index visited exactly once whatever the
// thread count, range edge cases, exceptions reaching the caller, nested
// calls running serially, the checks on set_num_threads, and part_begin,
// the one cut of [0, n) into per-thread parts; and the split maps of
// parallel_maps.hpp against the plain map on one thread.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

#include "hourglass/error.hpp"
#include "hourglass/kernels/elementwise.hpp"
#include "hourglass/kernels/parallel_maps.hpp"
#include "hourglass/kernels/thread_pool.hpp"

using namespace hg::kernels;

namespace {

// Runs parallel_for over [begin, end) and returns how often each index of
// [lo, hi) was visited, and the number of chunks.
std::vector<int> visits(int begin, int end, int lo, int hi, int* chunks = nullptr) {
  std::vector<std::atomic<int>> seen(hi - lo);
  std::atomic<int> n_chunks{0};
  parallel_for(begin, end, [&](int a, int b) {
    ++n_chunks;
    for (int i = a; i < b; ++i) ++seen[i - lo];
  });
  if (chunks) *chunks = n_chunks;
  std::vector<int> out;
  for (auto& s : seen) out.push_back(s);
  return out;
}

}  // namespace

TEST_SUITE("thread_pool") {
  TEST_CASE("defaults to one thread; set_num_threads checks its argument") {
    CHECK(num_threads() == 1);
    set_num_threads(3);
    CHECK(num_threads() == 3);
    CHECK_THROWS_WITH_AS(set_num_threads(0), doctest::Contains("n=0"), hg::Error);
    CHECK_THROWS_AS(set_num_threads(-2), hg::Error);
    CHECK(num_threads() == 3);  // a failed call changes nothing
    set_num_threads(1);
    CHECK(num_threads() == 1);
  }

  TEST_CASE("every index is visited exactly once, on 1 to 4 threads") {
    for (int t = 1; t <= 4; ++t) {
      set_num_threads(t);
      for (int n : {1, 2, 3, 7, 33, 1000}) {
        INFO("threads=", t, " n=", n);
        int chunks = 0;
        const std::vector<int> v = visits(-5, n - 5, -5, n - 5, &chunks);
        CHECK(v == std::vector<int>(n, 1));
        CHECK(chunks == std::min(n, t));  // fewer items than threads: one chunk each
      }
    }
    set_num_threads(1);
  }

  TEST_CASE("empty and reversed ranges call nothing") {
    set_num_threads(2);
    int calls = 0;
    parallel_for(4, 4, [&](int, int) { ++calls; });
    parallel_for(5, 2, [&](int, int) { ++calls; });
    CHECK(calls == 0);
    set_num_threads(1);
  }

  TEST_CASE("results are identical on 1 and several threads") {
    std::vector<float> x(1001);
    for (int i = 0; i < 1001; ++i) x[i] = 0.001f * static_cast<float>(i * i % 97);
    auto run = [&](int t) {
      set_num_threads(t);
      std::vector<float> y(x.size());
      parallel_for(0, static_cast<int>(x.size()), [&](int a, int b) {
        for (int i = a; i < b; ++i) y[i] = x[i] * x[i] - 0.5f * x[i];
      });
      return y;
    };
    const std::vector<float> one = run(1);
    CHECK(run(2) == one);
    CHECK(run(3) == one);
    set_num_threads(1);
  }

  TEST_CASE("chunks really run on other threads") {
    set_num_threads(2);
    std::thread::id ids[2];
    parallel_for(0, 2, [&](int a, int) { ids[a] = std::this_thread::get_id(); });
    CHECK(ids[0] == std::this_thread::get_id());  // the caller takes chunk 0
    CHECK(ids[1] != ids[0]);
    set_num_threads(1);
  }

  TEST_CASE("an exception in any chunk reaches the caller; the pool survives") {
    for (int t : {1, 2, 3}) {
      set_num_threads(t);
      for (int bad : {0, 50, 99}) {  // in the caller's chunk, a middle one, the last
        INFO("threads=", t, " bad=", bad);
        std::atomic<int> done{0};
        CHECK_THROWS_WITH_AS(parallel_for(0, 100,
                                          [&](int a, int b) {
                                            if (a <= bad && bad < b)
                                              throw std::runtime_error("chunk failed");
                                            done += b - a;
                                          }),
                             "chunk failed", std::runtime_error);
        CHECK(done < 100);
        CHECK(visits(0, 10, 0, 10) == std::vector<int>(10, 1));  // still works
      }
    }
    set_num_threads(1);
  }

  TEST_CASE("nested parallel_for runs serially inside a chunk") {
    set_num_threads(2);
    std::vector<std::atomic<int>> seen(6 * 5);
    std::atomic<int> inner_chunks{0};
    parallel_for(0, 6, [&](int a, int b) {
      for (int i = a; i < b; ++i)
        parallel_for(0, 5, [&](int c, int d) {
          ++inner_chunks;
          for (int j = c; j < d; ++j) ++seen[i * 5 + j];
        });
    });
    for (auto& s : seen) CHECK(s == 1);
    CHECK(inner_chunks == 6);  // one serial chunk per inner call
    // Resizing from inside a chunk would deadlock: it is refused.
    CHECK_THROWS_AS(parallel_for(0, 2, [](int, int) { set_num_threads(3); }), hg::Error);
    CHECK(num_threads() == 2);
    // Inside a chunk, one thread is what a nested loop will use.
    std::atomic<int> inner_threads{0};
    parallel_for(0, 2, [&](int, int) { inner_threads += num_threads(); });
    CHECK(inner_threads == 2);  // 1 in each of the two chunks
    set_num_threads(1);
  }

  TEST_CASE("parallel_range covers [0, n) once, splitting only past 2 grains") {
    for (int threads : {1, 2, 3}) {
      set_num_threads(threads);
      for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{7},
                            std::size_t{33}, std::size_t{1000}}) {
        for (std::size_t grain : {std::size_t{1}, std::size_t{16}, std::size_t{400}}) {
          CAPTURE(threads);
          CAPTURE(n);
          CAPTURE(grain);
          std::vector<std::atomic<int>> seen(n);
          std::atomic<int> calls{0};
          std::atomic<std::size_t> shortest{n};
          parallel_range(n, grain, [&](std::size_t lo, std::size_t hi) {
            ++calls;
            if (hi - lo < shortest) shortest = hi - lo;
            for (std::size_t i = lo; i < hi; ++i) ++seen[i];
          });
          for (std::size_t i = 0; i < n; ++i) REQUIRE(seen[i] == 1);
          const std::size_t most = n / grain;
          const int expect = n == 0 ? 0
                             : most < 2 || threads == 1
                                 ? 1
                                 : static_cast<int>(std::min<std::size_t>(most, threads));
          CHECK(calls == expect);
          if (calls > 1) CHECK(shortest >= grain);
        }
      }
    }
    set_num_threads(1);
  }

  TEST_CASE(
      "part_begin cuts [0, n) into parts that tile it, sizes within one") {
    for (std::size_t parts :
         {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{7}})
      for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{5},
                            std::size_t{70001}}) {
        CAPTURE(parts);
        CAPTURE(n);
        CHECK(part_begin(n, 0, parts) == 0);
        CHECK(part_begin(n, parts, parts) == n);
        for (std::size_t t = 0; t < parts; ++t) {
          const std::size_t size =
              part_begin(n, t + 1, parts) - part_begin(n, t, parts);
          CHECK(size >= n / parts);  // also catches a part that runs backwards
          CHECK(size <= n / parts + 1);
        }
      }
  }

  TEST_CASE("the split maps give the plain map's numbers on 1 to 3 threads") {
    for (std::size_t n : {std::size_t{0}, std::size_t{5}, std::size_t{100003}}) {
      CAPTURE(n);
      std::vector<float> x(n), dy(n);
      for (std::size_t i = 0; i < n; ++i) {
        x[i] = static_cast<float>(i % 97) * 0.1f - 4.0f;
        dy[i] = static_cast<float>(i % 13) - 6.0f;
      }
      std::vector<float> y(n), dx(n, 1.0f);  // the plain maps, one thread
      hg::kernels::sigmoid_forward(x.data(), y.data(), n);
      hg::kernels::relu_backward(x.data(), dy.data(), dx.data(), n);
      for (int threads = 1; threads <= 3; ++threads) {
        set_num_threads(threads);
        std::vector<float> ys(n, -1.0f), dxs(n, 1.0f), copy(n, -1.0f), zero(n, 7.0f);
        map_parallel(hg::kernels::sigmoid_forward, x.data(), ys.data(), n);
        map_backward_parallel(hg::kernels::relu_backward, x.data(), dy.data(), dxs.data(), n);
        copy_parallel(x.data(), copy.data(), n);
        zero_parallel(zero.data(), n);
        CHECK(ys == y);
        CHECK(dxs == dx);  // accumulated (+=) onto the 1s, as the plain one
        CHECK(copy == x);
        CHECK(std::all_of(zero.begin(), zero.end(), [](float v) { return v == 0.0f; }));
      }
      set_num_threads(1);
    }
  }
}
