// gemm_blocked: gemm_reordered, cut into tiles that fit in cache.
//
// What changed: the i-p-j loops now run tile by tile. C is cut into column
// strips of kNB columns and K into slabs of kKB; for one (strip, slab) the
// tile of B it needs, kKB × kNB floats (512 KiB), stays in the L2 cache
// while every row i of A passes over it, and the kNB-wide piece of row i of
// C stays in L1 across the whole slab.
//
// Why it is faster: gemm_reordered streams all of B (K × N floats) from
// memory once per row of C. Once B outgrows the caches that is memory
// bandwidth, not arithmetic, and the FMAs wait. With tiles, each float of B
// comes from memory once in all, and from L2 once per row of C.
//
// Inside a tile, each pass over a row of C now adds four rows of B at once
// (and, when B is stored transposed, four dot products share each load of
// A): C is loaded and stored a quarter as often. Blocking alone barely pays
// at the sizes benchmarked here, where B still fits in L2/L3; this reuse of
// C does.
//
// What is still slow: C(i, j) still goes through memory every four FMAs;
// the operands of op(A) are read with strides when A is stored transposed;
// and nothing keeps a tile of C in registers. gemm_packed fixes all three.
#include <algorithm>
#include <cstddef>

#include "hourglass/kernels/gemm.hpp"

namespace hg::kernels {

namespace {
constexpr int kNB = 512;  // columns of C per tile (2 KiB of a row of C: L1)
constexpr int kKB = 256;  // depth of a slab: B tile is kKB × kNB = 512 KiB (L2)
}  // namespace

void gemm_blocked(const GemmArgs& g) {
  gemm_check(g, "gemm_blocked");
  if (gemm_only_scale(g)) return;
  gemm_scale_c(g);
  const bool ta = g.trans_a == Trans::Yes, tb = g.trans_b == Trans::Yes;
  const std::size_t lda = g.lda, ldb = g.ldb, ldc = g.ldc;
  // Dot products (B stored transposed) keep their row of A in L1 whatever
  // K is; cutting them into slabs would only add partial sums to C.
  const int kb = tb ? g.K : kKB;
  for (int j0 = 0; j0 < g.N; j0 += kNB) {
    const int j1 = std::min(g.N, j0 + kNB);
    for (int p0 = 0; p0 < g.K; p0 += kb) {
      const int p1 = std::min(g.K, p0 + kb);
      // One slab: C(:, j0:j1) += alpha · op(A)(:, p0:p1) · op(B)(p0:p1, j0:j1)
      for (int i = 0; i < g.M; ++i) {
        float* __restrict c = g.C + i * ldc;
        const auto a_at = [&](int p) { return g.alpha * (ta ? g.A[p * lda + i] : g.A[i * lda + p]); };
        if (!tb) {
          // Four rows of B per pass over the row of C: a quarter of the C traffic.
          int p = p0;
          for (; p + 4 <= p1; p += 4) {
            const float a0 = a_at(p), a1 = a_at(p + 1), a2 = a_at(p + 2), a3 = a_at(p + 3);
            const float* __restrict b0 = g.B + p * ldb;
            const float* __restrict b1 = b0 + ldb;
            const float* __restrict b2 = b1 + ldb;
            const float* __restrict b3 = b2 + ldb;
#pragma omp simd
            for (int j = j0; j < j1; ++j)
              c[j] += (a0 * b0[j] + a1 * b1[j]) + (a2 * b2[j] + a3 * b3[j]);
          }
          for (; p < p1; ++p) {  // tail
            const float a = a_at(p);
            const float* __restrict b = g.B + p * ldb;
#pragma omp simd
            for (int j = j0; j < j1; ++j) c[j] += a * b[j];
          }
        } else if (!ta) {
          // Dot products of row i of A with four rows of B at once: each
          // vector of A loaded serves four sums.
          const float* __restrict a = g.A + i * lda;
          int j = j0;
          for (; j + 4 <= j1; j += 4) {
            const float* __restrict b0 = g.B + j * ldb;
            const float* __restrict b1 = b0 + ldb;
            const float* __restrict b2 = b1 + ldb;
            const float* __restrict b3 = b2 + ldb;
            float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
#pragma omp simd reduction(+ : s0, s1, s2, s3)
            for (int p = p0; p < p1; ++p) {
              s0 += a[p] * b0[p];
              s1 += a[p] * b1[p];
              s2 += a[p] * b2[p];
              s3 += a[p] * b3[p];
            }
            c[j] += g.alpha * s0;
            c[j + 1] += g.alpha * s1;
            c[j + 2] += g.alpha * s2;
            c[j + 3] += g.alpha * s3;
          }
          for (; j < j1; ++j) {  // tail
            const float* __restrict b = g.B + j * ldb;
            float acc = 0.0f;
#pragma omp simd reduction(+ : acc)
            for (int p = p0; p < p1; ++p) acc += a[p] * b[p];
            c[j] += g.alpha * acc;
          }
        } else {  // both transposed: strided A, the slow case left plain
          for (int j = j0; j < j1; ++j) {
            const float* __restrict b = g.B + j * ldb;
            float acc = 0.0f;
            for (int p = p0; p < p1; ++p) acc += g.A[p * lda + i] * b[p];
            c[j] += g.alpha * acc;
          }
        }
      }
    }
  }
}

}  // namespace hg::kernels
