// GEMM, the kernel that does nearly all of a network's arithmetic:
//
//   C = alpha · op(A) · op(B) + beta · C
//
// op(A) is (M, K), op(B) is (K, N), C is (M, N); op(X) is X or Xᵀ as the
// flags say. All matrices are row-major with leading dimensions lda, ldb,
// ldc (the distance in floats between two rows as stored). When beta is 0,
// C is overwritten and may hold anything before, even NaN.
//
// The variants form a path from obvious to fast; every one computes the
// same thing and is tested against gemm_naive.
#pragma once

namespace hg::kernels {

enum class Trans : bool { No = false, Yes = true };

struct GemmArgs {
  Trans trans_a = Trans::No, trans_b = Trans::No;
  int M = 0, N = 0, K = 0;
  float alpha = 1.0f;
  const float* A = nullptr;
  int lda = 0;
  const float* B = nullptr;
  int ldb = 0;
  float beta = 0.0f;
  float* C = nullptr;
  int ldc = 0;
};

// The reference: three loops, a dot product per element of C. Slow, obvious,
// kept forever as the answer every other variant is checked against.
void gemm_naive(const GemmArgs& g);

// The one the framework calls: the fastest variant, on the shared thread pool.
void gemm(const GemmArgs& g);

}  // namespace hg::kernels
