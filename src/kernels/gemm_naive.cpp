// gemm_naive: the reference GEMM. See gemm.hpp.
#include "hourglass/kernels/gemm.hpp"

#include <cstddef>

namespace hg::kernels {

// A(i, p) of op(A) and B(p, j) of op(B), whatever the transpose flags.
static inline float elem(const float* X, int ld, bool trans, int r, int c) {
  return trans ? X[static_cast<std::size_t>(c) * ld + r]
               : X[static_cast<std::size_t>(r) * ld + c];
}

void gemm_naive(const GemmArgs& g) {
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

// Until the fast variants land, the framework's gemm is the reference.
void gemm(const GemmArgs& g) { gemm_naive(g); }

}  // namespace hg::kernels
