// gemm_reordered: the same arithmetic as gemm_naive, loops in a better order.
//
// What changed: gemm_naive runs i-j-p, a dot product per C(i, j), and its
// inner loop walks down a column of B (a stride of ldb floats). Here the
// order is i-p-j:
//
//   for i:  for p:  a = alpha·A(i, p);  for j:  C(i, j) += a · B(p, j)
//
// Why it is faster: the inner loop now reads a row of B and updates a row of
// C, both contiguous, so every cache line fetched is used in full and the
// compiler turns the j loop into SIMD FMAs (16 floats at a time with
// AVX-512). The update is an "axpy" of one row of B into one row of C.
//
// When B is stored transposed, a row of op(B) is a column of B, so i-p-j
// would stride again. There the dot-product order i-j-p is the contiguous
// one: C(i, j) is row i of A against row j of B as stored, and the
// `omp simd reduction` lets the compiler keep several partial sums in a
// vector (it may not reorder a float sum on its own). What is still slow:
// for large matrices every row of B is fetched from memory again for every
// i; gemm_blocked fixes that.
#include <cstddef>

#include "hourglass/kernels/gemm.hpp"

namespace hg::kernels {

void gemm_reordered(const GemmArgs& g) {
  gemm_check(g, "gemm_reordered");
  if (gemm_only_scale(g)) return;
  gemm_scale_c(g);  // C = beta·C first; then only += below
  const bool ta = g.trans_a == Trans::Yes, tb = g.trans_b == Trans::Yes;
  const std::size_t lda = g.lda, ldb = g.ldb, ldc = g.ldc;
  for (int i = 0; i < g.M; ++i) {
    float* __restrict c = g.C + i * ldc;
    if (!tb) {
      for (int p = 0; p < g.K; ++p) {
        const float a = g.alpha * (ta ? g.A[p * lda + i] : g.A[i * lda + p]);
        const float* __restrict b = g.B + p * ldb;  // row p of B
#pragma omp simd
        for (int j = 0; j < g.N; ++j) c[j] += a * b[j];
      }
    } else {
      for (int j = 0; j < g.N; ++j) {
        const float* __restrict b = g.B + j * ldb;  // row j of B = column j of op(B)
        float acc = 0.0f;
        if (!ta) {
          const float* __restrict a = g.A + i * lda;
#pragma omp simd reduction(+ : acc)
          for (int p = 0; p < g.K; ++p) acc += a[p] * b[p];
        } else {
          for (int p = 0; p < g.K; ++p) acc += g.A[p * lda + i] * b[p];
        }
        c[j] += g.alpha * acc;
      }
    }
  }
}

}  // namespace hg::kernels
