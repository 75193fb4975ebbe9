// peak.hpp: this core's fp32 FMA peak, measured with a register-only loop.
//
// kChains independent accumulators each run acc = acc·m + c (one FMA per
// vector lane per step). An FMA takes about 4 cycles and a core issues up to
// two per cycle, so at least 8 chains must be in flight; with 12 the loop is
// bound by the FMA units alone: no loads, no stores, no dependencies
// between chains. m < 1 keeps the values bounded (no overflow, no
// denormals). What it is not: a memory or cache benchmark.
#pragma once

#include <time.h>  // clock_gettime (POSIX)

#if defined(__AVX512F__) || (defined(__AVX2__) && defined(__FMA__))
#include <immintrin.h>
#endif

namespace hg::bench {

constexpr int kChains = 12;

// Runs `steps` steps of every chain; returns the flops done (2 per FMA lane).
inline double fma_loop(long steps) {
  volatile float sink = 0.0f;
#if defined(__AVX512F__)
  __m512 acc[kChains];
  const __m512 m = _mm512_set1_ps(0.999999f), c = _mm512_set1_ps(1e-3f);
  for (int k = 0; k < kChains; ++k) acc[k] = _mm512_set1_ps(static_cast<float>(k));
  for (long s = 0; s < steps; ++s)
#pragma GCC unroll 12
    for (int k = 0; k < kChains; ++k) acc[k] = _mm512_fmadd_ps(acc[k], m, c);
  alignas(64) float out[16];
  for (int k = 0; k < kChains; ++k) {
    _mm512_store_ps(out, acc[k]);
    sink = sink + out[0];
  }
  constexpr int lanes = 16;
#elif defined(__AVX2__) && defined(__FMA__)
  __m256 acc[kChains];
  const __m256 m = _mm256_set1_ps(0.999999f), c = _mm256_set1_ps(1e-3f);
  for (int k = 0; k < kChains; ++k) acc[k] = _mm256_set1_ps(static_cast<float>(k));
  for (long s = 0; s < steps; ++s)
#pragma GCC unroll 12
    for (int k = 0; k < kChains; ++k) acc[k] = _mm256_fmadd_ps(acc[k], m, c);
  alignas(32) float out[8];
  for (int k = 0; k < kChains; ++k) {
    _mm256_store_ps(out, acc[k]);
    sink = sink + out[0];
  }
  constexpr int lanes = 8;
#else
  float acc[kChains];
  for (int k = 0; k < kChains; ++k) acc[k] = static_cast<float>(k);
  for (long s = 0; s < steps; ++s)
    for (int k = 0; k < kChains; ++k) acc[k] = acc[k] * 0.999999f + 1e-3f;
  for (int k = 0; k < kChains; ++k) sink = sink + acc[k];
  constexpr int lanes = 1;
#endif
  return 2.0 * lanes * kChains * static_cast<double>(steps);
}

// This thread's CPU time in seconds: unlike the wall clock it does not
// count the time other processes hold the core, as Google Benchmark's
// default (CPU-time) rates do not.
inline double thread_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

// Best of a few short runs (~0.1 s in all), in GFLOP/s.
inline double measure_peak_gflops() {
  double best = 0.0;
  for (int run = 0; run < 5; ++run) {
    const double t0 = thread_seconds();
    const double flops = fma_loop(2'000'000);
    const double gflops = flops / (thread_seconds() - t0) * 1e-9;
    if (gflops > best) best = gflops;
  }
  return best;
}

}  // namespace hg::bench
