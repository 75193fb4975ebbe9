// vmath.hpp: e^x and log(1 + t) written as plain float arithmetic, so a
// loop that calls them vectorises (16 lanes with AVX-512).
//
// Why: std::exp and std::log1p are opaque calls into libm, one number at a
// time; in a sigmoid over a (128, 784) batch they cost more than the GEMM
// that produced it. These inline versions use only +, ·, floor, selects
// and bit moves, which the compiler turns into SIMD instructions. They are
// private to src/kernels/ and checked against std:: in
// tests/kernels/test_vmath.cpp (relative error a few float ulps).
// What this is not: a full libm. Only the two functions the activations
// and the cross-entropy need, each for every float input (±inf, NaN,
// denormal results) but tuned for none of them.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

namespace hg::kernels::vmath {

// e^x = 2^n · e^r, with n = round(x / ln 2) and r = x − n·ln 2 ∈ [−ln2/2, ln2/2].
//  - n·ln 2 is subtracted in two parts (Cody & Waite): ln2_hi has few
//    enough bits that n·ln2_hi is exact, ln2_lo carries the rest.
//  - e^r by its Taylor series to r⁷: the first term left out is
//    |r|⁸/8! ≤ 0.347⁸/40320 ≈ 5.6e-9, below float's 6e-8 resolution.
//  - 2^n by writing n + 127 into a float's exponent bits. n runs from
//    −150 to 128 after clamping x, more than one exponent field holds, so
//    2^n is applied as 2^(n/2) · 2^(n − n/2): results below 2^−126 come out
//    as denormals and above FLT_MAX as +inf, as they should.
inline float exp(float x) {
  constexpr float kLog2e = 1.44269504088896341f;
  constexpr float kLn2Hi = 0.693359375f, kLn2Lo = -2.12194440e-4f;
  const float xc = x > -104.0f ? (x < 88.8f ? x : 88.8f) : -104.0f;  // NaN → −104
  const float n = std::floor(xc * kLog2e + 0.5f);
  const float r = (xc - n * kLn2Hi) - n * kLn2Lo;
  // Horner form of 1 + r + r²/2! + … + r⁷/7!
  float p = 1.0f / 5040.0f;
  p = p * r + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  const std::int32_t ni = static_cast<std::int32_t>(n);
  const std::int32_t n1 = ni >> 1, n2 = ni - n1;
  const float s1 = std::bit_cast<float>((n1 + 127) << 23);  // 2^n1
  const float s2 = std::bit_cast<float>((n2 + 127) << 23);  // 2^n2
  const float y = p * s1 * s2;
  return x != x ? x : y;  // NaN in, NaN out
}

// log(1 + t) for t ≥ 0 (as e^−|x| ∈ (0, 1] in softplus and cross-entropy).
// With s = t / (2 + t), 1 + t = (1 + s) / (1 − s), so
//   log(1 + t) = 2·atanh(s) = 2(s + s³/3 + s⁵/5 + …).
// No 1 + t is ever rounded, so tiny t keep full precision (log1p(t) ≈ t).
// For t ≤ 1, s ≤ 1/3 and the series to s¹³ leaves out s¹⁵/15 relative
// error ≤ (1/3)¹⁴/15 ≈ 1.4e-8. Larger t work too but need more terms:
// beyond t = 1 the series is cut short and loses accuracy, so callers keep
// t in [0, 1].
inline float log1p_unit(float t) {
  const float s = t / (2.0f + t);
  const float s2 = s * s;
  float p = 1.0f / 13.0f;
  p = p * s2 + 1.0f / 11.0f;
  p = p * s2 + 1.0f / 9.0f;
  p = p * s2 + 1.0f / 7.0f;
  p = p * s2 + 1.0f / 5.0f;
  p = p * s2 + 1.0f / 3.0f;
  p = p * s2 + 1.0f;
  return 2.0f * s * p;
}

// σ(x) = 1 / (1 + e^−x) through t = e^−|x| ∈ (0, 1], which never overflows:
// σ = 1/(1 + t) for x ≥ 0 and t/(1 + t) for x < 0.
inline float sigmoid(float x) {
  const float t = exp(-std::fabs(x));
  const float r = 1.0f / (1.0f + t);
  return x >= 0.0f ? r : t * r;
}

// softplus(x) = log(1 + eˣ) = max(x, 0) + log(1 + e^−|x|).
inline float softplus(float x) {
  return (x > 0.0f ? x : 0.0f) + log1p_unit(exp(-std::fabs(x)));
}

}  // namespace hg::kernels::vmath
