// The yardstick every lesson compares models by.
//
// error_per_pixel(x, x̂) = (1/n) Σ_i (x_i − x̂_i)² over all n numbers: for a
// batch of images, the mean over images and pixels of the squared error,
// i.e. the per-image loss ‖x − x̂‖² divided by the pixel count. Per pixel,
// so numbers stay readable and compare across image sizes. Summed in
// double: a test set holds millions of terms.
#pragma once

#include "hourglass/tensor.hpp"

namespace hg {

// x and x_hat must have the same shape (hg::Error names both otherwise).
double error_per_pixel(const Tensor& x, const Tensor& x_hat);

}  // namespace hg
