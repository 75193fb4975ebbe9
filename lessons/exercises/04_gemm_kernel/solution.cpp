// Exercise 04 · a faster GEMM: the reference solution, i-p-j order with the
// p loop cut into blocks so a block of B's rows stays in cache while every
// row of A reuses it.
#include <algorithm>
#include <cstddef>

// C = A·B: A (M, K), B (K, N), C (M, N), row-major, contiguous; C is overwritten.
void my_gemm(int M, int N, int K, const float* A, const float* B, float* C) {
  constexpr int kBlockK = 128;  // rows of B per block: 128 · N floats
  const auto n = static_cast<std::size_t>(N);
  std::fill(C, C + static_cast<std::size_t>(M) * n, 0.0f);
  for (int p0 = 0; p0 < K; p0 += kBlockK) {
    const int p1 = std::min(K, p0 + kBlockK);  // the tail block is shorter
    for (int i = 0; i < M; ++i) {
      float* __restrict c_row = C + static_cast<std::size_t>(i) * n;
      for (int p = p0; p < p1; ++p) {
        const float a = A[static_cast<std::size_t>(i) * static_cast<std::size_t>(K) + p];
        const float* __restrict b_row = B + static_cast<std::size_t>(p) * n;
        for (std::size_t j = 0; j < n; ++j) c_row[j] += a * b_row[j];  // streams, vectorises
      }
    }
  }
}
