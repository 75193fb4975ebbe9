// Softmax cross-entropy: the loss of a classifier that outputs one score
// (logit) per class, with the true class given as an integer label.
//
//   p_ic = e^{z_ic} / Σ_k e^{z_ik}           softmax of row i
//   L    = −(1/B) Σ_i log p_{i, y_i}          mean over the batch
//        = (1/B) Σ_i [ logsumexp(z_i) − z_{i, y_i} ]
//   ∂L/∂z_ic = (p_ic − [c = y_i]) / B         the whole backward
//
// The log-sum-exp is taken after subtracting the row's maximum m_i,
//   logsumexp(z_i) = m_i + log Σ_k e^{z_ik − m_i},
// so every exponent is ≤ 0: logits of ±1000 give a finite loss.
//
// What it is not: label smoothing, class weights, or soft targets (use
// bce_with_logits for independent yes/no outputs).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "hourglass/autodiff/tape.hpp"
#include "hourglass/tensor.hpp"

namespace hg {

// logits: (B, C); labels: B integers in [0, C). Returns L, one number.
// Throws hg::Error if the label count is not B or a label is out of range.
Var softmax_cross_entropy(Var logits, std::span<const std::uint8_t> labels);

// Row-wise softmax of a (B, C) tensor, outside any tape: probabilities for
// printing or for a decision. Same max-subtraction as the loss.
Tensor softmax_rows(const Tensor& logits);

// The predicted class of each row: argmax_c z_ic (first maximum on ties).
std::vector<int> argmax_rows(const Tensor& logits);

// Fraction of rows whose argmax equals the label, in [0, 1].
double accuracy(const Tensor& logits, std::span<const std::uint8_t> labels);

}  // namespace hg
