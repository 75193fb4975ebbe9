// gemm_naive: the reference GEMM, and the argument checks every variant
// shares. See gemm.hpp for the contract. Speed is not a goal here: the inner
// loop walks op(B) down a column (a stride of ldb floats), so every step
// touches a new cache line and nothing vectorises.
#include <cstddef>

#include "hourglass/error.hpp"
#include "hourglass/kernels/gemm.hpp"

namespace hg::kernels {

void gemm_check(const GemmArgs& g, const char* op) {
  check(g.M >= 0 && g.N >= 0 && g.K >= 0, op, ": sizes must be >= 0, got M=",
        g.M, " N=", g.N, " K=", g.K);
  if (g.M == 0 || g.N == 0) return;  // nothing is read or written
  check(g.C != nullptr, op, ": C is null for a (", g.M, ", ", g.N, ") result");
  check(g.ldc >= g.N, op, ": ldc=", g.ldc, " is smaller than C's width N=", g.N);
  if (g.K == 0 || g.alpha == 0.0f) return;  // A and B are not read
  const bool ta = g.trans_a == Trans::Yes, tb = g.trans_b == Trans::Yes;
  // As stored, A is (M, K), or (K, M) when transposed; B likewise.
  const int a_rows = ta ? g.K : g.M, a_cols = ta ? g.M : g.K;
  const int b_rows = tb ? g.N : g.K, b_cols = tb ? g.K : g.N;
  check(g.A != nullptr && g.B != nullptr, op, ": A or B is null");
  check(g.lda >= a_cols, op, ": lda=", g.lda, " is smaller than the width of A (",
        a_rows, ", ", a_cols, ")", ta ? " (stored transposed)" : "");
  check(g.ldb >= b_cols, op, ": ldb=", g.ldb, " is smaller than the width of B (",
        b_rows, ", ", b_cols, ")", tb ? " (stored transposed)" : "");
}

void gemm_scale_c(const GemmArgs& g) {
  for (int i = 0; i < g.M; ++i) {
    float* c = g.C + static_cast<std::size_t>(i) * g.ldc;
    // beta = 0 must overwrite, not multiply: 0 · NaN is NaN.
    if (g.beta == 0.0f)
      for (int j = 0; j < g.N; ++j) c[j] = 0.0f;
    else if (g.beta != 1.0f)
      for (int j = 0; j < g.N; ++j) c[j] *= g.beta;
  }
}

bool gemm_only_scale(const GemmArgs& g) {
  if (g.M == 0 || g.N == 0) return true;
  if (g.K != 0 && g.alpha != 0.0f) return false;
  gemm_scale_c(g);
  return true;
}

// A(i, p) of op(A) and B(p, j) of op(B), whatever the transpose flags.
static inline float elem(const float* X, int ld, bool trans, int r, int c) {
  return trans ? X[static_cast<std::size_t>(c) * ld + r]
               : X[static_cast<std::size_t>(r) * ld + c];
}

void gemm_naive(const GemmArgs& g) {
  gemm_check(g, "gemm_naive");
  if (gemm_only_scale(g)) return;
  const bool ta = g.trans_a == Trans::Yes, tb = g.trans_b == Trans::Yes;
  for (int i = 0; i < g.M; ++i) {
    for (int j = 0; j < g.N; ++j) {
      // Accumulate in double so the reference is more exact than what it checks.
      double acc = 0.0;
      for (int p = 0; p < g.K; ++p)
        acc += static_cast<double>(elem(g.A, g.lda, ta, i, p)) *
               elem(g.B, g.ldb, tb, p, j);
      float& c = g.C[static_cast<std::size_t>(i) * g.ldc + j];
      c = static_cast<float>(g.alpha * acc) + (g.beta == 0.0f ? 0.0f : g.beta * c);
    }
  }
}

}  // namespace hg::kernels
