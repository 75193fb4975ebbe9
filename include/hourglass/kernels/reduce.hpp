// Reductions over flat float arrays: sums of everything, of rows, of columns.
//
// What it is: the kernels behind sum/mean ops, bias gradients (a bias added
// to every row gets the column sums of dy) and the losses. What it is not:
// a general axis-reduction engine; matrices are (rows, cols), row-major.
//
// Whole-array sums accumulate in double: a loss sums ~10⁵ terms per batch,
// and in float the small late terms would be rounded away. Row/column sums
// stay in float, with one accumulator per output, which vectorises.
#pragma once

#include <cstddef>

namespace hg::kernels {

// Σ x,  Σ |x|,  Σ x²,  Σ a·b,  Σ (a − b)²,  Σ |a − b|      x, a, b: (n)
double sum(const float* __restrict x, std::size_t n);
double sum_abs(const float* __restrict x, std::size_t n);
double sum_sq(const float* __restrict x, std::size_t n);
double dot(const float* __restrict a, const float* __restrict b, std::size_t n);
double sum_sq_diff(const float* __restrict a, const float* __restrict b,
                   std::size_t n);
double sum_abs_diff(const float* __restrict a, const float* __restrict b,
                    std::size_t n);

// "Sum over rows": out[j] = Σ_i x[i, j], the column sums.
// x: (rows, cols), out: (cols). The _acc form adds alpha times the sums into
// out (out += alpha · Σ_i x[i, ·]): alpha = −1 for a subtraction's gradient,
// 1/rows for a mean's.
void sum_rows(const float* __restrict x, float* __restrict out, int rows,
              int cols);
void sum_rows_acc(const float* __restrict x, float* __restrict out, int rows,
                  int cols, float alpha = 1.0f);
// out[j] += Σ_i a[i, j] · b[i, j]: the gradient of a row vector that
// multiplied every row.  a, b: (rows, cols), out: (cols).
void mul_sum_rows_acc(const float* __restrict a, const float* __restrict b,
                      float* __restrict out, int rows, int cols);

// "Sum over columns": out[i] = Σ_j x[i, j], the row sums.
// x: (rows, cols), out: (rows).
void sum_cols(const float* __restrict x, float* __restrict out, int rows,
              int cols);
void sum_cols_acc(const float* __restrict x, float* __restrict out, int rows,
                  int cols, float alpha = 1.0f);  // out += alpha · row sums

}  // namespace hg::kernels
