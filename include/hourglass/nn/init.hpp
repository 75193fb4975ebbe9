// Weight initialisation: how to draw a layer's first weights.
//
// The idea (variance preservation): in y = W·x with fan_in inputs, each
// output is a sum of fan_in products, so Var(y) = fan_in · Var(W) · Var(x)
// for independent, zero-mean terms. If Var(W) is too large the signal grows
// layer after layer; too small and it fades, and the gradients with it. The
// schemes below pick Var(W) so that the variance stays about the same
// through the layers, forward and backward.
//
// - Xavier/Glorot (Glorot & Bengio 2010,
//   https://proceedings.mlr.press/v9/glorot10a.html): Var(W) = 2 / (fan_in +
//   fan_out), the compromise between keeping the forward (1/fan_in) and
//   backward (1/fan_out) variance. Derived for activations that are linear
//   near 0 and symmetric: tanh, sigmoid (roughly), or none at all.
//   Uniform on [−a, a] with a = √(6 / (fan_in + fan_out)) has that variance
//   (a uniform on [−a, a] has variance a²/3).
// - He/Kaiming (He et al. 2015, https://arxiv.org/abs/1502.01852):
//   Var(W) = 2 / fan_in, normal. ReLU zeroes half its inputs, halving the
//   second moment, so the weights make up for it with a factor 2.
//
// Biases start at zero. What this is not: orthogonal or data-dependent
// (LSUV) initialisation.
#pragma once

#include "hourglass/rng.hpp"
#include "hourglass/tensor.hpp"

namespace hg {

enum class Init {
  Xavier,        // Glorot uniform: tanh, sigmoid, linear layers
  XavierNormal,  // Glorot normal: the same variance, Gaussian
  He,            // Kaiming normal: relu and leaky relu
};

const char* init_name(Init init);  // "xavier", "xavier_normal", "he"

// W ~ U(−a, a), a = √(6 / (fan_in + fan_out)); Var(W) = 2 / (fan_in + fan_out)
void xavier_uniform(Tensor& W, int fan_in, int fan_out, Rng& rng);
// W ~ N(0, 2 / (fan_in + fan_out))
void xavier_normal(Tensor& W, int fan_in, int fan_out, Rng& rng);
// W ~ N(0, 2 / fan_in)
void he_normal(Tensor& W, int fan_in, Rng& rng);

// Fills W by the named scheme.
void init_weights(Tensor& W, Init init, int fan_in, int fan_out, Rng& rng);

}  // namespace hg
