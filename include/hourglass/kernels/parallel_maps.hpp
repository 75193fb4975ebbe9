// Maps over big arrays, split over the thread pool: what the tape and the
// elementwise ops call so that they read as the math.
//
// Each element is independent, so ranges [lo, hi) of every array go to
// different threads (parallel_range); below a grain of elements, or on one
// thread, the map runs whole on the calling thread. One thread alone does
// not saturate the memory bandwidth, which is why big maps pay for a
// hand-off. What it is not: a fused or vectorised kernel of its own; the
// map `f` does the arithmetic.
#pragma once

#include <cstddef>

namespace hg::kernels {

// y = x, and y = 0 (n floats).
void copy_parallel(const float* x, float* y, std::size_t n);
void zero_parallel(float* y, std::size_t n);

// y = f(x): a *_forward kernel of elementwise.hpp.
using MapFn = void (*)(const float* __restrict, float* __restrict, std::size_t);
void map_parallel(MapFn f, const float* x, float* y, std::size_t n);

// dx += dy · f'(·), f' read from `in` (x or y): a *_backward kernel.
using MapBackwardFn = void (*)(const float* __restrict, const float* __restrict,
                               float* __restrict, std::size_t);
void map_backward_parallel(MapBackwardFn f, const float* in, const float* dy, float* dx,
                           std::size_t n);

}  // namespace hg::kernels
