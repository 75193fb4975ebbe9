// Elementwise kernels: maps over flat float arrays, and their derivatives.
//
// What it is: the arithmetic under every activation and every elementwise
// tape op, as plain loops the compiler vectorises (contiguous, __restrict,
// no branches it cannot turn into selects). What it is not: aware of
// tensors, shapes or the tape; nothing here allocates.
//
// Conventions, so the tape can call these without temporaries:
//   *_forward(x, y, n)          y = f(x)                 (x, y: (n))
//   *_backward(·, dy, dx, n)    dx += dy · f'(x)         accumulates (+=)
// Each backward takes whichever of x or y makes f' cheapest: sigmoid, tanh
// and exp read the output y (σ' = y(1 − y)), the others read the input x.
// Inputs and outputs must not overlap (that is what __restrict promises).
// Row-broadcast kernels see arrays as (rows, cols), row-major, with a row
// vector b of length cols added (or multiplied) into every row.
#pragma once

#include <cstddef>

namespace hg::kernels {

// ---- unary maps, x, y, dy, dx: (n) -----------------------------------------
// y = alpha · x + beta: negation, scaling and shifting by a constant.
void affine_forward(const float* __restrict x, float alpha, float beta,
                    float* __restrict y, std::size_t n);
void exp_forward(const float* __restrict x, float* __restrict y, std::size_t n);
void exp_backward(const float* __restrict y, const float* __restrict dy,
                  float* __restrict dx, std::size_t n);  // dx += dy · y
void log_forward(const float* __restrict x, float* __restrict y, std::size_t n);
void log_backward(const float* __restrict x, const float* __restrict dy,
                  float* __restrict dx, std::size_t n);  // dx += dy / x
void sqrt_forward(const float* __restrict x, float* __restrict y, std::size_t n);
void sqrt_backward(const float* __restrict y, const float* __restrict dy,
                   float* __restrict dx, std::size_t n);  // dx += dy / (2y)
void square_forward(const float* __restrict x, float* __restrict y, std::size_t n);
void square_backward(const float* __restrict x, const float* __restrict dy,
                     float* __restrict dx, std::size_t n);  // dx += 2x · dy
void pow_forward(const float* __restrict x, float p, float* __restrict y,
                 std::size_t n);
void pow_backward(const float* __restrict x, float p, const float* __restrict dy,
                  float* __restrict dx, std::size_t n);  // dx += p x^(p−1) dy
void abs_forward(const float* __restrict x, float* __restrict y, std::size_t n);
void abs_backward(const float* __restrict x, const float* __restrict dy,
                  float* __restrict dx, std::size_t n);  // dx += sign(x) dy

// σ(x) = 1 / (1 + e^−x), computed from e^−|x| so it never overflows.
void sigmoid_forward(const float* __restrict x, float* __restrict y, std::size_t n);
void sigmoid_backward(const float* __restrict y, const float* __restrict dy,
                      float* __restrict dx, std::size_t n);  // dx += dy·y(1−y)
void tanh_forward(const float* __restrict x, float* __restrict y, std::size_t n);
void tanh_backward(const float* __restrict y, const float* __restrict dy,
                   float* __restrict dx, std::size_t n);  // dx += dy(1 − y²)
void relu_forward(const float* __restrict x, float* __restrict y, std::size_t n);
void relu_backward(const float* __restrict x, const float* __restrict dy,
                   float* __restrict dx, std::size_t n);  // dx += dy·[x > 0]
void leaky_relu_forward(const float* __restrict x, float slope,
                        float* __restrict y, std::size_t n);
void leaky_relu_backward(const float* __restrict x, float slope,
                         const float* __restrict dy, float* __restrict dx,
                         std::size_t n);  // dx += dy · (x > 0 ? 1 : slope)
// softplus(x) = log(1 + eˣ) = max(x, 0) + log1p(e^−|x|): no overflow at
// large x, no loss of precision at very negative x.
void softplus_forward(const float* __restrict x, float* __restrict y, std::size_t n);
void softplus_backward(const float* __restrict x, const float* __restrict dy,
                       float* __restrict dx, std::size_t n);  // dx += dy·σ(x)

// ---- binary maps, a, b, y: (n) ---------------------------------------------
void add(const float* __restrict a, const float* __restrict b,
         float* __restrict y, std::size_t n);
void sub(const float* __restrict a, const float* __restrict b,
         float* __restrict y, std::size_t n);
void mul(const float* __restrict a, const float* __restrict b,
         float* __restrict y, std::size_t n);
void div(const float* __restrict a, const float* __restrict b,
         float* __restrict y, std::size_t n);
// y += alpha · x: the accumulation step of nearly every backward.
void axpy(float alpha, const float* __restrict x, float* __restrict y,
          std::size_t n);
// y += c for every element: the backward of a sum to one number.
void add_scalar(float c, float* __restrict y, std::size_t n);
// y += a · b: the backward of a product (da += dy · b).
void mul_acc(const float* __restrict a, const float* __restrict b,
             float* __restrict y, std::size_t n);
// y += a / b: the backward of a quotient (da += dy / b).
void div_acc(const float* __restrict a, const float* __restrict b,
             float* __restrict y, std::size_t n);
// Backward of y = a / b with respect to b: db −= dy · y / b.
void div_backward_b(const float* __restrict dy, const float* __restrict y,
                    const float* __restrict b, float* __restrict db,
                    std::size_t n);

// ---- row broadcast, x, y: (rows, cols), b: (cols) ---------------------------
void broadcast_row(const float* __restrict b, float* __restrict y, int rows,
                   int cols);  // every row of y = b
// y[i, j] += alpha · b[j] (b: (cols)) and y[i, j] += alpha · c[i] (c: (rows)):
// the backward of sums over rows and over columns.
void broadcast_row_acc(const float* __restrict b, float alpha,
                       float* __restrict y, int rows, int cols);
void broadcast_col_acc(const float* __restrict c, float alpha,
                       float* __restrict y, int rows, int cols);
void add_row(const float* __restrict x, const float* __restrict b,
             float* __restrict y, int rows, int cols);  // y = x + b
void sub_row(const float* __restrict x, const float* __restrict b,
             float* __restrict y, int rows, int cols);  // y = x − b
void mul_row(const float* __restrict x, const float* __restrict b,
             float* __restrict y, int rows, int cols);  // y = x ⊙ b
void mul_row_acc(const float* __restrict x, const float* __restrict b,
                 float* __restrict y, int rows, int cols);  // y += x ⊙ b

// ---- fused bias + activation, the layer step y = act(x + b) ----------------
// One pass instead of two: the pre-activation x + b is never stored.
// Backward: dz = dy · act'(z) read from y; dx += dz; db += Σ_rows dz.
// x, y, dy, dx: (rows, cols), b, db: (cols).
void add_row_sigmoid_forward(const float* __restrict x, const float* __restrict b,
                             float* __restrict y, int rows, int cols);
void add_row_sigmoid_backward(const float* __restrict y, const float* __restrict dy,
                              float* __restrict dx, float* __restrict db,
                              int rows, int cols);
void add_row_relu_forward(const float* __restrict x, const float* __restrict b,
                          float* __restrict y, int rows, int cols);
void add_row_relu_backward(const float* __restrict y, const float* __restrict dy,
                           float* __restrict dx, float* __restrict db, int rows,
                           int cols);

}  // namespace hg::kernels
