// Losses and penalties: each returns a one-number Var to call backward on.
//
// Convention for the reconstruction losses: SUM over the features of one
// example, MEAN over the batch. So mse on Fashion-MNIST is "squared error
// per image" (Σ over 784 pixels), and its value does not change with the
// batch size. B below is the number of rows (examples) of the first input.
//
// What this is not: reduction options or class weights. A loss times a
// constant (β · kl_sparsity, λ · l2_penalty) is written with `*` on Vars.
#pragma once

#include "hourglass/autodiff/tape.hpp"

namespace hg {

// (1/B) Σ_i ‖x̂_i − x_i‖²: mean over the batch of the per-example squared error.
Var mse(Var pred, Var target);
// (1/B) Σ_i ‖x̂_i − x_i‖₁: mean over the batch of the per-example absolute error.
Var mae(Var pred, Var target);
// Binary cross-entropy on probabilities p ∈ [0, 1], per example summed:
//   −(1/B) Σ_ij [ t log p + (1 − t) log(1 − p) ]
// p is clamped to [1e-7, 1 − 1e-7] so p = 0 or 1 gives a large but finite
// loss; the gradient (p − t) / (p(1 − p)) is taken at the clamped p.
Var bce(Var p, Var target);
// The same loss from logits z (p = σ(z)), in the form that never overflows:
//   (1/B) Σ_ij [ max(z, 0) − t z + log(1 + e^−|z|) ],   ∂/∂z = (σ(z) − t)/B
// Prefer it to bce(sigmoid(z), t): exact for any z, even ±100.
Var bce_with_logits(Var logits, Var target);
// Sparsity penalty for hidden activations h ∈ (0, 1), shape (B, units):
//   Σ_j KL(ρ ‖ ρ̂_j) = Σ_j ρ log(ρ/ρ̂_j) + (1 − ρ) log((1 − ρ)/(1 − ρ̂_j))
// with ρ̂_j = (1/B) Σ_i h_ij the mean activation of unit j over the batch
// (clamped to [1e-6, 1 − 1e-6]). The caller multiplies by β. Ng, "Sparse
// autoencoder" lecture notes (CS294A), section 3.
Var kl_sparsity(Var h, float rho);
// KL(N(μ, σ²) ‖ N(0, I)) for a VAE encoder giving μ and log σ², (B, latent):
//   (1/B) Σ_i Σ_j −½ (1 + logvar_ij − μ_ij² − e^logvar_ij)
// summed over latent dimensions, averaged over the batch (Kingma & Welling,
// "Auto-Encoding Variational Bayes", appendix B).
Var gaussian_kl(Var mu, Var logvar);
// Σ |W|: the L1 penalty (sparsity of weights); subgradient 0 at 0.
Var l1_penalty(Var W);
// ½ Σ W²: the L2 penalty; the ½ makes its gradient exactly W, so λ·l2 is
// classic weight decay with rate λ.
Var l2_penalty(Var W);

}  // namespace hg
