// The yardstick every lesson compares models by.
//
// error_per_pixel(x, x̂) = (1/n) Σ_i (x_i − x̂_i)² over all n numbers: for a
// batch of images, the mean over images and pixels of the squared error,
// i.e. the per-image loss ‖x − x̂‖² divided by the pixel count. Per pixel,
// so numbers stay readable and compare across image sizes. Summed in
// double: a test set holds millions of terms.
//
// bce_of_image(z, x) is the other score: one image's binary cross-entropy
// from logits, the −log p(x|z) a VAE's decoder is judged by.
#pragma once

#include <span>

#include "hourglass/tensor.hpp"

namespace hg {

// x and x_hat must have the same shape (hg::Error names both otherwise).
double error_per_pixel(const Tensor& x, const Tensor& x_hat);

// Σ_i max(z_i, 0) − x_i z_i + log(1 + e^−|z_i|) in double: bce_with_logits
// (nn/losses.hpp) of one image, its logits z and its pixels x, summed over
// the pixels. The two spans must be as long (hg::Error otherwise).
double bce_of_image(std::span<const float> logits, std::span<const float> x);

}  // namespace hg
