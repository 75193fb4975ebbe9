// Reductions: see reduce.hpp for the contract.
//
// Whole-array sums go in two levels: blocks of kBlock terms are summed in
// float, sixteen lanes side by side (`omp simd reduction`: each lane adds
// only kBlock/16 = 8 terms, so float's rounding barely shows), and the
// block sums go into one double, so 10⁶ terms lose nothing to the running
// total. A single double running sum would be one long dependency chain
// of scalar adds, about one term per cycle. Row sums add row after row
// into out[j], which is a vectorisable axpy per row.
#include "hourglass/kernels/reduce.hpp"

#include <cmath>

namespace hg::kernels {

namespace {
// Σ f(i) over i < n; f gives the term as float.
template <class Term>
double sum_terms(std::size_t n, Term term) {
  constexpr std::size_t kBlock = 128;
  double total = 0.0;
  for (std::size_t i0 = 0; i0 < n; i0 += kBlock) {
    const std::size_t i1 = n - i0 < kBlock ? n : i0 + kBlock;
    float s = 0.0f;
#pragma omp simd reduction(+ : s)
    for (std::size_t i = i0; i < i1; ++i) s += term(i);
    total += s;
  }
  return total;
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
