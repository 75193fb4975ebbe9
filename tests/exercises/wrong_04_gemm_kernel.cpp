// A planted wrong answer to exercise 04: blocked over p, but the tail block
// is dropped when K is not a multiple of the block. Right on 64×64×64,
// wrong on odd sizes: the checker must catch it.
#include <algorithm>
#include <cstddef>

void my_gemm(int M, int N, int K, const float* A, const float* B, float* C) {
  constexpr int kBlockK = 16;
  std::fill(C, C + std::size_t(M) * std::size_t(N), 0.0f);
  for (int p0 = 0; p0 + kBlockK <= K; p0 += kBlockK)
    for (int i = 0; i < M; ++i)
      for (int p = p0; p < p0 + kBlockK; ++p)
        for (int j = 0; j < N; ++j)
          C[std::size_t(i) * std::size_t(N) + std::size_t(j)] +=
              A[std::size_t(i) * std::size_t(K) + std::size_t(p)] *
              B[std::size_t(p) * std::size_t(N) + std::size_t(j)];
}
