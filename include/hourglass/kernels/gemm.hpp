// GEMM, the kernel that does nearly all of a network's arithmetic:
//
//   C = alpha · op(A) · op(B) + beta · C
//
// op(A) is (M, K), op(B) is (K, N), C is (M, N); op(X) is X or Xᵀ as the
// flags say. All matrices are row-major with leading dimensions lda, ldb,
// ldc (the distance in floats between two rows as stored). When beta is 0,
// C is overwritten and may hold anything before, even NaN. When K is 0 or
// alpha is 0, A and B are not read and C becomes beta · C.
//
// The variants form a path from obvious to fast; every one computes the
// same thing and is tested against gemm_naive:
//   gemm_naive      three loops, a dot product per element of C
//   gemm_reordered  i-p-j order: the inner loop streams rows, vectorises
//   gemm_blocked    + cache blocking: tiles reused while they are in cache
//   gemm_packed     + packed panels and a register-tiled micro-kernel
//   gemm            gemm_packed, split over the thread pool when big enough
// This header knows nothing of tensors: raw pointers and sizes only.
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
void gemm_reordered(const GemmArgs& g);
void gemm_blocked(const GemmArgs& g);
void gemm_packed(const GemmArgs& g);

// The one the framework calls: the fastest variant, on the shared thread pool
// (see thread_pool.hpp). Problems under gemm_parallel_min_flops() run on the
// calling thread, where waking the workers would cost more than it saves.
void gemm(const GemmArgs& g);
double gemm_parallel_min_flops();

// Building blocks shared by the variants.
//
// Throws hg::Error (naming `op`) unless the sizes are >= 0, the pointers are
// set where data is read or written, and each leading dimension is at least
// the width of its matrix as stored: lda >= (trans_a ? M : K), and so on.
void gemm_check(const GemmArgs& g, const char* op);
// If the product term vanishes (M, N or K is 0, or alpha is 0), sets
// C = beta · C (C = 0 when beta is 0) and returns true.
bool gemm_only_scale(const GemmArgs& g);
// C = beta · C over the M × N block, writing zeros when beta is 0.
void gemm_scale_c(const GemmArgs& g);

}  // namespace hg::kernels
