// simd.hpp: the small SIMD vocabulary the packed GEMM micro-kernel speaks.
//
// A Vec holds kWidth floats: a zmm register (16 floats) with AVX-512, a ymm
// register (8) with AVX2+FMA, and otherwise a plain array of 4 floats that
// the compiler may or may not vectorise. Only what the micro-kernel needs
// is here: zero, set1 (broadcast), load/store, mul, fma; and, for packing,
// a load and a store of the first n lanes, and an in-register transpose
// of a square block (kWidth × kWidth). It is private to src/kernels/ and
// deliberately not a general SIMD library: no reductions, no general
// shuffles.
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
// Stores lanes 0 .. n-1 of v (0 <= n <= kWidth); memory past them is untouched.
inline void storeu_first(float* p, Vec v, int n) {
  _mm512_mask_storeu_ps(p, static_cast<__mmask16>((1u << n) - 1u), v);
}
// Loads lanes 0 .. n-1 and zeros the rest, reading nothing past p[n-1].
inline Vec loadu_first(const float* p, int n) {
  return _mm512_maskz_loadu_ps(static_cast<__mmask16>((1u << n) - 1u), p);
}
// GCC 12 warns, wrongly, that the intrinsics' own "undefined" source
// operand may be uninitialised (they never read it): silence that here.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
// r[i] (row i of a 16 × 16 block) becomes column i. Three rounds, each
// halving the size of what is still in the wrong place: pairs of floats
// (unpack), then pairs of pairs (shuffle), then 128-bit lanes (two rounds
// of shuffle_f32x4, which moves whole lanes between registers).
inline void transpose(Vec (&r)[kWidth]) {
  Vec t[16], u[16];
  for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);  // per lane: a0 b0 a1 b1
    t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);  //        a2 b2 a3 b3
  }
  for (int i = 0; i < 16; i += 4) {  // per lane: column k of 4 rows
    u[i] = _mm512_shuffle_ps(t[i], t[i + 2], 0x44);
    u[i + 1] = _mm512_shuffle_ps(t[i], t[i + 2], 0xEE);
    u[i + 2] = _mm512_shuffle_ps(t[i + 1], t[i + 3], 0x44);
    u[i + 3] = _mm512_shuffle_ps(t[i + 1], t[i + 3], 0xEE);
  }
  for (int k = 0; k < 4; ++k) {  // lane L of u[4g + k]: rows 4g.., column 4L + k
    const Vec v0 = _mm512_shuffle_f32x4(u[k], u[4 + k], 0x44);
    const Vec v1 = _mm512_shuffle_f32x4(u[k], u[4 + k], 0xEE);
    const Vec v2 = _mm512_shuffle_f32x4(u[8 + k], u[12 + k], 0x44);
    const Vec v3 = _mm512_shuffle_f32x4(u[8 + k], u[12 + k], 0xEE);
    r[k] = _mm512_shuffle_f32x4(v0, v2, 0x88);
    r[4 + k] = _mm512_shuffle_f32x4(v0, v2, 0xDD);
    r[8 + k] = _mm512_shuffle_f32x4(v1, v3, 0x88);
    r[12 + k] = _mm512_shuffle_f32x4(v1, v3, 0xDD);
  }
}
#pragma GCC diagnostic pop

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
inline __m256i first_lanes(int n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
inline void storeu_first(float* p, Vec v, int n) { _mm256_maskstore_ps(p, first_lanes(n), v); }
inline Vec loadu_first(const float* p, int n) { return _mm256_maskload_ps(p, first_lanes(n)); }
// The 8 × 8 version of the AVX-512 transpose: pairs, pairs of pairs, then
// the two 128-bit halves.
inline void transpose(Vec (&r)[kWidth]) {
  Vec t[8], u[8];
  for (int i = 0; i < 8; i += 2) {
    t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
  }
  for (int i = 0; i < 8; i += 4) {
    u[i] = _mm256_shuffle_ps(t[i], t[i + 2], 0x44);
    u[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], 0xEE);
    u[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0x44);
    u[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0xEE);
  }
  for (int k = 0; k < 4; ++k) {
    r[k] = _mm256_permute2f128_ps(u[k], u[4 + k], 0x20);
    r[4 + k] = _mm256_permute2f128_ps(u[k], u[4 + k], 0x31);
  }
}

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
inline void storeu_first(float* p, Vec v, int n) {
  for (int i = 0; i < n; ++i) p[i] = v.v[i];
}
inline Vec loadu_first(const float* p, int n) {
  Vec r{};
  for (int i = 0; i < n; ++i) r.v[i] = p[i];
  return r;
}
inline void transpose(Vec (&r)[kWidth]) {
  for (int i = 0; i < kWidth; ++i)
    for (int j = i + 1; j < kWidth; ++j) {
      const float x = r[i].v[j];
      r[i].v[j] = r[j].v[i];
      r[j].v[i] = x;
    }
}

#endif

}  // namespace hg::kernels::simd
