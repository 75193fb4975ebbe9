// log-sum-exp: log Σ_i e^{a_i} without overflow or underflow.
//
// Log-probabilities of whole images are large negative numbers (−300 nats
// is typical on Fashion-MNIST), so e^{a_i} underflows to 0 in any float
// type and log(0) = −∞. Shifting by the largest term m = max_i a_i fixes it:
//   log Σ_i e^{a_i} = m + log Σ_i e^{a_i − m}
// where every e^{a_i − m} <= 1 and the largest is exactly 1, so the sum is
// in [1, n] and its log is exact to rounding.
//
// The importance-weighted bound of a VAE (Burda et al. 2015,
// https://arxiv.org/abs/1509.00519) is a log of a mean of k weights given by
// their logs: log (1/k) Σ_s w_s = log_sum_exp(log w) − log k.
//
// What this is not: a tape op (no gradient); it evaluates, it does not train.
#pragma once

#include <span>

namespace hg {

// log Σ_i e^{a_i}. Empty input or a NaN throws hg::Error; terms of −∞
// (probability 0) are allowed and all −∞ gives −∞; a +∞ term gives +∞.
double log_sum_exp(std::span<const double> a);

// log (1/n) Σ_i e^{a_i} = log_sum_exp(a) − log n: the log of a mean of
// numbers known by their logs.
double log_mean_exp(std::span<const double> a);

}  // namespace hg
