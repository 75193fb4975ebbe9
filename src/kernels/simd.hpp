// simd.hpp: the small SIMD vocabulary the packed GEMM micro-kernel speaks.
//
// A Vec holds kWidth floats: a zmm register (16 floats) with AVX-512, a ymm
// register (8) with AVX2+FMA, and otherwise a plain array of 4 floats that
// the compiler may or may not vectorise. Only what the micro-kernel needs
// is here: zero, set1 (broadcast), load/store, mul, fma. It is private to
// src/kernels/ and deliberately not a general SIMD library: no shuffles, no
// masks, no reductions.
#pragma once

#if defined(__AVX512F__) || (defined(__AVX2__) && defined(__FMA__))
#include <immintrin.h>
#endif

namespace hg::kernels::simd {

#if defined(__AVX512F__)

constexpr int kWidth = 16;
using Vec = __m512;
inline Vec zero() { return _mm512_setzero_ps(); }
inline Vec set1(float x) { return _mm512_set1_ps(x); }
inline Vec load(const float* p) { return _mm512_load_ps(p); }  // 64-byte aligned
inline Vec loadu(const float* p) { return _mm512_loadu_ps(p); }
inline void storeu(float* p, Vec v) { _mm512_storeu_ps(p, v); }
inline Vec mul(Vec a, Vec b) { return _mm512_mul_ps(a, b); }
inline Vec fma(Vec a, Vec b, Vec c) { return _mm512_fmadd_ps(a, b, c); }  // a·b + c

#elif defined(__AVX2__) && defined(__FMA__)

constexpr int kWidth = 8;
using Vec = __m256;
inline Vec zero() { return _mm256_setzero_ps(); }
inline Vec set1(float x) { return _mm256_set1_ps(x); }
inline Vec load(const float* p) { return _mm256_load_ps(p); }  // 32-byte aligned
inline Vec loadu(const float* p) { return _mm256_loadu_ps(p); }
inline void storeu(float* p, Vec v) { _mm256_storeu_ps(p, v); }
inline Vec mul(Vec a, Vec b) { return _mm256_mul_ps(a, b); }
inline Vec fma(Vec a, Vec b, Vec c) { return _mm256_fmadd_ps(a, b, c); }

#else  // portable fallback: the same vocabulary over four plain floats

constexpr int kWidth = 4;
struct Vec {
  float v[kWidth];
};
inline Vec zero() { return Vec{}; }
inline Vec set1(float x) { return Vec{{x, x, x, x}}; }
inline Vec loadu(const float* p) {
  Vec r;
  for (int i = 0; i < kWidth; ++i) r.v[i] = p[i];
  return r;
}
inline Vec load(const float* p) { return loadu(p); }
inline void storeu(float* p, Vec a) {
  for (int i = 0; i < kWidth; ++i) p[i] = a.v[i];
}
inline Vec mul(Vec a, Vec b) {
  for (int i = 0; i < kWidth; ++i) a.v[i] *= b.v[i];
  return a;
}
inline Vec fma(Vec a, Vec b, Vec c) {
  for (int i = 0; i < kWidth; ++i) c.v[i] += a.v[i] * b.v[i];
  return c;
}

#endif

}  // namespace hg::kernels::simd
