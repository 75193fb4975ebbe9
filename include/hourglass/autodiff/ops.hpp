// Ops: the differentiable functions a model is written with.
//
// Each op is a free function that computes its value with a kernel and
// records a node whose backward function sits right under it in the source
// (src/autodiff/ops_*.cpp). Every op checks its shapes and throws hg::Error
// naming itself and both shapes, e.g.
//   matmul: inner sizes differ: a is (128, 784), b is (700, 32)
// Matrices are seen as rows × cols (Shape::rows/cols), row-major.
//
// What this is not: a broadcasting engine. Binary ops take equal shapes, or a
// row vector (1, cols) (or (cols)) as the SECOND operand, added to every row
// — the bias case — or a float on either side.
#pragma once

#include "hourglass/autodiff/tape.hpp"
#include "hourglass/rng.hpp"

namespace hg {

// ---- linear algebra (ops_matmul.cpp) -----------------------------------------
// op(a) · op(b), op = transpose when the flag says: (M, K)·(K, N) → (M, N).
Var matmul(Var a, Var b, bool transpose_a = false, bool transpose_b = false);
// y = x·Wᵀ + b: x (B, in), W (out, in), b (1, out) or (out) → y (B, out).
// The layer step; backward gives dx = dy·W, dW = dyᵀ·x, db = Σ_rows dy.
Var linear(Var x, Var W, Var b);

// ---- elementwise binary (ops_binary.cpp) -----------------------------------
Var add(Var a, Var b);
Var sub(Var a, Var b);
Var mul(Var a, Var b);
Var div(Var a, Var b);
Var add(Var a, float c);
Var add(float c, Var a);
Var sub(Var a, float c);
Var sub(float c, Var a);
Var mul(Var a, float c);
Var mul(float c, Var a);
Var div(Var a, float c);
Var div(float c, Var a);
// y = alpha · x + beta, the op behind every Var-with-float form above.
Var affine(Var x, float alpha, float beta);

inline Var operator+(Var a, Var b) { return add(a, b); }
inline Var operator-(Var a, Var b) { return sub(a, b); }
inline Var operator*(Var a, Var b) { return mul(a, b); }
inline Var operator/(Var a, Var b) { return div(a, b); }
inline Var operator+(Var a, float c) { return add(a, c); }
inline Var operator+(float c, Var a) { return add(c, a); }
inline Var operator-(Var a, float c) { return sub(a, c); }
inline Var operator-(float c, Var a) { return sub(c, a); }
inline Var operator*(Var a, float c) { return mul(a, c); }
inline Var operator*(float c, Var a) { return mul(c, a); }
inline Var operator/(Var a, float c) { return div(a, c); }
inline Var operator/(float c, Var a) { return div(c, a); }

// ---- elementwise unary (ops_unary.cpp) ---------------------------------------
Var neg(Var x);
inline Var operator-(Var x) { return neg(x); }
Var exp(Var x);
Var log(Var x);    // x > 0 is the caller's promise
Var sqrt(Var x);   // x > 0
Var square(Var x);
Var pow(Var x, float p);
Var abs(Var x);    // subgradient 0 at 0
Var sigmoid(Var x);
Var tanh(Var x);
Var relu(Var x);
Var leaky_relu(Var x, float slope = 0.01f);
Var softplus(Var x);

// ---- reductions (ops_reduce.cpp) ---------------------------------------------
Var sum(Var x);        // → (1, 1)
Var mean(Var x);       // → (1, 1)
Var sum_rows(Var x);   // (rows, cols) → (1, cols): column sums
Var sum_cols(Var x);   // (rows, cols) → (rows, 1): row sums
Var mean_rows(Var x);  // (rows, cols) → (1, cols)
Var mean_cols(Var x);  // (rows, cols) → (rows, 1)

// ---- shape (ops_shape.cpp) ---------------------------------------------------
Var reshape(Var x, Shape shape);  // same numbers, same count, new shape
Var concat_cols(Var a, Var b);    // (R, n) ⧺ (R, m) → (R, n + m)
Var slice_cols(Var x, int begin, int end);  // columns [begin, end)

// ---- noise (ops_noise.cpp) ---------------------------------------------------
// Inverted dropout: keep each entry with probability 1 − p and scale the
// kept ones by 1/(1 − p), so the expected value is unchanged and nothing
// needs rescaling at test time (where you simply do not call it).
Var dropout(Var x, float p, Rng& rng);
// Masking noise for denoising autoencoders: zero each entry with
// probability p, no rescaling (the corruption is the point).
Var mask_noise(Var x, float p, Rng& rng);
// Additive Gaussian noise: x + σ·ε, ε ~ N(0, 1); the gradient passes as is.
Var gaussian_noise(Var x, float stddev, Rng& rng);

}  // namespace hg
