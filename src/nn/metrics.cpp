// error_per_pixel: see metrics.hpp.
#include "hourglass/nn/metrics.hpp"

#include "hourglass/kernels/reduce.hpp"

namespace hg {

double error_per_pixel(const Tensor& x, const Tensor& x_hat) {
  check_same_shape("error_per_pixel", x, x_hat);
  check(x.size() > 0, "error_per_pixel: no numbers to compare (shape ",
        x.shape(), ")");
  // The kernel under mse: float blocks summed in double.
  return kernels::sum_sq_diff(x.data(), x_hat.data(), x.size()) / double(x.size());
}

}  // namespace hg
