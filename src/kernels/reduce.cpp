// Reductions: see reduce.hpp for the contract.
//
// Whole-array sums use four independent double accumulators, so the adds do
// not wait on each other (a single running sum is one long dependency
// chain); the compiler turns them into vector lanes. Row sums add row after
// row into out[j], which is a vectorisable axpy per row.
#include "hourglass/kernels/reduce.hpp"

#include <cmath>

namespace hg::kernels {

namespace {
// Σ f(i) over i < n with four accumulators; f gives the term as float.
template <class Term>
double sum_terms(std::size_t n, Term term) {
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += term(i);
    s1 += term(i + 1);
    s2 += term(i + 2);
    s3 += term(i + 3);
  }
  for (; i < n; ++i) s0 += term(i);  // tail
  return (s0 + s1) + (s2 + s3);
}
}  // namespace

double sum(const float* __restrict x, std::size_t n) {
  return sum_terms(n, [&](std::size_t i) { return x[i]; });
}
double sum_abs(const float* __restrict x, std::size_t n) {
  return sum_terms(n, [&](std::size_t i) { return std::fabs(x[i]); });
}
double sum_sq(const float* __restrict x, std::size_t n) {
  return sum_terms(n, [&](std::size_t i) { return x[i] * x[i]; });
}
double dot(const float* __restrict a, const float* __restrict b, std::size_t n) {
  return sum_terms(n, [&](std::size_t i) { return a[i] * b[i]; });
}
double sum_sq_diff(const float* __restrict a, const float* __restrict b,
                   std::size_t n) {
  return sum_terms(n, [&](std::size_t i) {
    const float d = a[i] - b[i];
    return d * d;
  });
}
double sum_abs_diff(const float* __restrict a, const float* __restrict b,
                    std::size_t n) {
  return sum_terms(n, [&](std::size_t i) { return std::fabs(a[i] - b[i]); });
}

void sum_rows(const float* __restrict x, float* __restrict out, int rows,
              int cols) {
  for (int j = 0; j < cols; ++j) out[j] = 0.0f;
  sum_rows_acc(x, out, rows, cols);
}
void sum_rows_acc(const float* __restrict x, float* __restrict out, int rows,
                  int cols, float alpha) {
  for (int r = 0; r < rows; ++r) {
    const float* __restrict xr = x + static_cast<std::size_t>(r) * cols;
#pragma omp simd
    for (int j = 0; j < cols; ++j) out[j] += alpha * xr[j];
  }
}
void mul_sum_rows_acc(const float* __restrict a, const float* __restrict b,
                      float* __restrict out, int rows, int cols) {
  for (int r = 0; r < rows; ++r) {
    const std::size_t o = static_cast<std::size_t>(r) * cols;
#pragma omp simd
    for (int j = 0; j < cols; ++j) out[j] += a[o + j] * b[o + j];
  }
}

void sum_cols(const float* __restrict x, float* __restrict out, int rows,
              int cols) {
  for (int r = 0; r < rows; ++r) out[r] = 0.0f;
  sum_cols_acc(x, out, rows, cols);
}
void sum_cols_acc(const float* __restrict x, float* __restrict out, int rows,
                  int cols, float alpha) {
  for (int r = 0; r < rows; ++r) {
    const float* __restrict xr = x + static_cast<std::size_t>(r) * cols;
    float s = 0.0f;
#pragma omp simd reduction(+ : s)
    for (int j = 0; j < cols; ++j) s += xr[j];
    out[r] += alpha * s;
  }
}

}  // namespace hg::kernels
