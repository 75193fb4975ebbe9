// Maps split over the thread pool: see parallel_maps.hpp.
#include "hourglass/kernels/parallel_maps.hpp"

#include <algorithm>

#include "hourglass/kernels/thread_pool.hpp"

namespace hg::kernels {

namespace {
// The element counts worth a hand-off to another thread: a copy or a fill
// moves little per element, a map computes a little more.
constexpr std::size_t kMoveGrain = 32768;
constexpr std::size_t kMapGrain = 16384;
}  // namespace

void copy_parallel(const float* x, float* y, std::size_t n) {
  parallel_range(n, kMoveGrain, [&](std::size_t lo, std::size_t hi) {
    std::copy(x + lo, x + hi, y + lo);
  });
}

void zero_parallel(float* y, std::size_t n) {
  parallel_range(n, kMoveGrain, [&](std::size_t lo, std::size_t hi) {
    std::fill(y + lo, y + hi, 0.0f);
  });
}

void map_parallel(MapFn f, const float* x, float* y, std::size_t n) {
  parallel_range(n, kMapGrain, [&](std::size_t lo, std::size_t hi) {
    f(x + lo, y + lo, hi - lo);
  });
}

void map_backward_parallel(MapBackwardFn f, const float* in, const float* dy, float* dx,
                           std::size_t n) {
  parallel_range(n, kMapGrain, [&](std::size_t lo, std::size_t hi) {
    f(in + lo, dy + lo, dx + lo, hi - lo);
  });
}

}  // namespace hg::kernels
