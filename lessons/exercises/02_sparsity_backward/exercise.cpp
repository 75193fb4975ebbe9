// Exercise 02 · the backward of the KL sparsity penalty
//
// The math. A sparse autoencoder wants each hidden unit j to be active only
// a little on average: its mean activation over the batch,
//   ρ̂_j = (1/B) Σ_i h_ij              (h_ij = σ(·) ∈ (0, 1), B rows)
// should stay near a small target ρ (say 0.05). The penalty is the KL
// divergence between two coins that land heads with probability ρ and ρ̂_j,
// summed over the units:
//   KL = Σ_j ρ log(ρ/ρ̂_j) + (1 − ρ) log((1 − ρ)/(1 − ρ̂_j))
// (Ng, "Sparse autoencoder", CS294A lecture notes, section 3; lesson 04.)
// Its gradient goes through ρ̂_j, which every row of column j feeds:
//   ∂KL/∂ρ̂_j  = −ρ/ρ̂_j + (1 − ρ)/(1 − ρ̂_j)
//   ∂ρ̂_j/∂h_ij = 1/B
//   dh_ij    += dloss · (−ρ/ρ̂_j + (1 − ρ)/(1 − ρ̂_j)) / B
// where dloss = dloss/dKL is what the tape hands this node (β when the
// loss is reconstruction + β·KL).
//
// What to do: write kl_sparsity_backward below; check.cpp computes the
// forward and plugs your function into the tape as the node's backward.
//
// The approach, in steps:
//   1. for each unit j, ρ̂_j: the mean of column j over the B rows;
//   2. for each unit j, the slope −ρ/ρ̂_j + (1 − ρ)/(1 − ρ̂_j);
//   3. for every row i and unit j, add dloss · slope_j / B to dh[i·units + j].
//
// Example: B = 2, one unit with h = (0.2, 0.4), ρ = 0.1, dloss = 1:
//   ρ̂ = 0.3, slope = −0.1/0.3 + 0.9/0.7 = 0.9524, so each dh += 0.4762.
//   (ρ̂ above ρ: the gradient is positive, so descent lowers the activations.)
//
// Hint: h is row-major, (B, units): h_ij is h[i * units + j]. A
// std::vector<double> of `units` numbers is a fine place for ρ̂.
//
// Check it:  scripts/exercise 02_sparsity_backward
#include "../exercise.hpp"

// h: (B, units) activations in (0, 1); dh: (B, units) dloss/dh, added to.
void kl_sparsity_backward(const float* h, int B, int units, float rho, float dloss,
                          float* dh) {
  // TODO: steps 1 to 3 above
  (void)h, (void)B, (void)units, (void)rho, (void)dloss, (void)dh;  // (delete this line and the next)
  exercise::not_written_yet("kl_sparsity_backward");
}
