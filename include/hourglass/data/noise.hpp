// Corruptions for denoising autoencoders: ways to damage a batch of images
// so that a network can learn to undo them, and PSNR to measure how far a
// damaged or repaired image is from the clean one.
//
//   x̃ = corrupt(x)   the network sees x̃ and is asked for x
//
// Four kinds, each with one "level" knob:
//   Gaussian      x̃ = clamp(x + σ·ε, 0, 1), ε ~ N(0, 1)        level = σ
//   Mask          x̃_i = 0 with probability p, else x_i         level = p
//   SaltPepper    x̃_i = 0 or 1 (half each) with probability p  level = p
//   Stamp         a watermark-like mark at a random place per image,
//                 blended over the image with opacity α:       level = α
//                   x̃ = (1 − α·s)·x + α·s   (s = stamp, 1 on its strokes)
// Images are the rows of x, pixels in [0, 1]; each row is h × w for the
// stamp. Everything random comes from the Rng passed in.
//
// What it is not: a tape op (no gradient flows into the corruption; the
// tape versions of Gaussian and masking noise are in autodiff/ops.hpp), or
// an image-augmentation library (no shifts, rotations, blur).
#pragma once

#include <string>

#include "hourglass/rng.hpp"
#include "hourglass/tensor.hpp"

namespace hg {

enum class NoiseKind { Gaussian, Mask, SaltPepper, Stamp };

// "gaussian", "mask", "salt-pepper", "stamp"; parse_noise_kind throws
// hg::Error listing these names for anything else.
const char* noise_name(NoiseKind kind);
NoiseKind parse_noise_kind(const std::string& name);

// The four corruptions, each returning a new tensor shaped like x.
Tensor gaussian_corrupt(const Tensor& x, float sigma, Rng& rng);
Tensor mask_corrupt(const Tensor& x, float p, Rng& rng);
Tensor salt_pepper_corrupt(const Tensor& x, float p, Rng& rng);
// x: (N, h*w). The stamp lies fully inside each image.
Tensor stamp_corrupt(const Tensor& x, int h, int w, float alpha, Rng& rng);

// Dispatch on kind (level as above); h, w are used by Stamp only.
Tensor corrupt(const Tensor& x, NoiseKind kind, float level, int h, int w,
               Rng& rng);

// The stamp's pattern: the letters "HG" in a 5 × 7 pixel font, boxed, as a
// (kStampH, kStampW) tensor of 0/1. Big enough to hide a shoe's heel, small
// enough that most of the garment stays visible.
inline constexpr int kStampH = 9, kStampW = 13;
Tensor stamp_pattern();

// Peak signal-to-noise ratio in decibels of `test` against `clean`, for
// pixels in [0, 1] (peak 1): 10·log10(1 / MSE), MSE over every pixel of
// every image. Higher is better; each +3 dB halves the squared error.
// Identical tensors give +infinity. Shapes must match.
double psnr(const Tensor& clean, const Tensor& test);

}  // namespace hg
