// log-sum-exp with the max shift; see the header for the why.
#include "hourglass/nn/log_sum_exp.hpp"

#include <cmath>
#include <limits>

#include "hourglass/error.hpp"

namespace hg {

double log_sum_exp(std::span<const double> a) {
  check(!a.empty(), "log_sum_exp: got no terms (expected at least one)");
  double m = -std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < a.size(); ++i) {
    check(!std::isnan(a[i]), "log_sum_exp: term ", i, " of ", a.size(),
          " is NaN (expected a number or -inf)");
    if (a[i] > m) m = a[i];
  }
  // All −∞ (every weight 0) or some +∞: the shift would give ∞ − ∞ = NaN,
  // while the answer is plainly m.
  if (std::isinf(m)) return m;
  double s = 0;  // Σ e^{a_i − m}: in [1, n]
  for (double v : a) s += std::exp(v - m);
  return m + std::log(s);
}

double log_mean_exp(std::span<const double> a) {
  return log_sum_exp(a) - std::log(static_cast<double>(a.size()));
}

}  // namespace hg
