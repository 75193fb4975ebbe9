// error_per_pixel: see metrics.hpp.
#include "hourglass/nn/metrics.hpp"

namespace hg {

double error_per_pixel(const Tensor& x, const Tensor& x_hat) {
  check_same_shape("error_per_pixel", x, x_hat);
  check(x.size() > 0, "error_per_pixel: no numbers to compare (shape ",
        x.shape(), ")");
  double sum = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double d = double(x[i]) - x_hat[i];
    sum += d * d;
  }
  return sum / double(x.size());
}

}  // namespace hg
