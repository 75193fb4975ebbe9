// gemm_blocked: gemm_reordered, cut into tiles that fit in cache.
//
// What changed: the i-p-j loops now run tile by tile. C is cut into column
// strips of kNB columns and K into slabs of kKB; for one (strip, slab) the
// tile of B it needs, kKB × kNB floats (128 KiB), stays in the L2 cache
// while every row i of A passes over it, and the kNB-wide piece of row i of
// C stays in L1 across the whole slab.
//
// Why it is faster: gemm_reordered streams all of B (K × N floats) from
// memory once per row of C. Once B outgrows the caches that is memory
// bandwidth, not arithmetic, and the FMAs wait. With tiles, each float of B
// comes from memory once in all, and from L2 once per row of C.
//
// What is still slow: C(i, j) lives in memory, so every FMA also loads and
// stores C; the operands of op(A) are read with strides when A is stored
// transposed; and the tile boundaries are not matched to the registers.
// gemm_packed fixes all three.
#include <algorithm>
#include <cstddef>

#include "hourglass/kernels/gemm.hpp"

namespace hg::kernels {

namespace {
constexpr int kNB = 256;  // columns of C per tile (1 KiB of a row of C: L1)
constexpr int kKB = 128;  // depth of a slab: B tile is kKB × kNB = 128 KiB (L2)
}  // namespace

void gemm_blocked(const GemmArgs& g) {
  gemm_check(g, "gemm_blocked");
  if (gemm_only_scale(g)) return;
  gemm_scale_c(g);
  const bool ta = g.trans_a == Trans::Yes, tb = g.trans_b == Trans::Yes;
  const std::size_t lda = g.lda, ldb = g.ldb, ldc = g.ldc;
  for (int j0 = 0; j0 < g.N; j0 += kNB) {
    const int j1 = std::min(g.N, j0 + kNB);
    for (int p0 = 0; p0 < g.K; p0 += kKB) {
      const int p1 = std::min(g.K, p0 + kKB);
      // One slab: C(:, j0:j1) += alpha · op(A)(:, p0:p1) · op(B)(p0:p1, j0:j1)
      for (int i = 0; i < g.M; ++i) {
        float* __restrict c = g.C + i * ldc;
        if (!tb) {
          for (int p = p0; p < p1; ++p) {
            const float a = g.alpha * (ta ? g.A[p * lda + i] : g.A[i * lda + p]);
            const float* __restrict b = g.B + p * ldb;
#pragma omp simd
            for (int j = j0; j < j1; ++j) c[j] += a * b[j];
          }
        } else {  // dot products over the slab, as in gemm_reordered
          for (int j = j0; j < j1; ++j) {
            const float* __restrict b = g.B + j * ldb;
            float acc = 0.0f;
            if (!ta) {
              const float* __restrict a = g.A + i * lda;
#pragma omp simd reduction(+ : acc)
              for (int p = p0; p < p1; ++p) acc += a[p] * b[p];
            } else {
              for (int p = p0; p < p1; ++p) acc += g.A[p * lda + i] * b[p];
            }
            c[j] += g.alpha * acc;
          }
        }
      }
    }
  }
}

}  // namespace hg::kernels
