// The contractive penalty: how strongly a sigmoid encoder's code moves when
// its input moves, as a tape op (Rifai, Vincent, Muller, Glorot & Bengio,
// "Contractive Auto-Encoders: Explicit Invariance During Feature
// Extraction", ICML 2011, https://icml.cc/2011/papers/455_icmlpaper.pdf).
//
// For the encoder h = σ(W x + b), W: (H, D), the Jacobian ∂h/∂x is
//   J_ji = ∂h_j/∂x_i = h_j (1 − h_j) W_ji
// (row j of W, scaled by the sigmoid's slope at unit j), so its squared
// Frobenius norm needs no D × H matrix per example:
//   ‖J(x)‖²_F = Σ_j (h_j (1 − h_j))² Σ_i W_ji²
// The op returns the batch mean of that, (1/B) Σ_b ‖J(x_b)‖²_F; the caller
// multiplies by λ and adds it to the reconstruction loss.
//
// Gradients, with a_j = h_j (1 − h_j) and s_j = Σ_i W_ji²:
//   ∂/∂h_bj = (2/B) a_bj (1 − 2 h_bj) s_j
//   ∂/∂W_ji = (2/B) (Σ_b a_bj²) W_ji
// The first flows on through σ and the encoder's linear op on the tape, so
// the penalty reaches W by two paths, both summed by backward.
//
// What it is not: a penalty for other activations (relu, tanh have other
// slopes) or a higher-order (Hessian) contractive term.
#pragma once

#include "hourglass/autodiff/tape.hpp"

namespace hg {

// h: (B, H) sigmoid outputs in (0, 1); W: (H, D), the encoder's weights that
// produced them. Returns (1/B) Σ_b Σ_j (h_bj (1 − h_bj))² Σ_i W_ji².
Var contractive_penalty(Var h, Var W);

// The same number per example, outside any tape: out (B) = ‖J(x_b)‖²_F.
// For measuring a trained encoder. h: (B, H), W: (H, D).
void jacobian_frobenius_sq(const Tensor& h, const Tensor& W, float* out);

}  // namespace hg
