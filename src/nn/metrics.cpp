// error_per_pixel and bce_of_image: see metrics.hpp.
#include "hourglass/nn/metrics.hpp"

#include <algorithm>
#include <cmath>

#include "hourglass/kernels/reduce.hpp"

namespace hg {

double error_per_pixel(const Tensor& x, const Tensor& x_hat) {
  check_same_shape("error_per_pixel", x, x_hat);
  check(x.size() > 0, "error_per_pixel: no numbers to compare (shape ",
        x.shape(), ")");
  // The kernel under mse: float blocks summed in double.
  return kernels::sum_sq_diff(x.data(), x_hat.data(), x.size()) / double(x.size());
}

double bce_of_image(std::span<const float> logits, std::span<const float> x) {
  check(logits.size() == x.size(), "bce_of_image: ", logits.size(), " logits for ", x.size(),
        " pixels (expected one logit per pixel)");
  double s = 0;
  for (std::size_t i = 0; i < x.size(); ++i)
    s += std::max(logits[i], 0.0f) - x[i] * logits[i] +
         std::log1p(std::exp(-std::fabs(double(logits[i]))));
  return s;
}

}  // namespace hg
