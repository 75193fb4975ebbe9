// The corruptions of data/noise.hpp and PSNR: plain loops over pixels, one
// random draw per pixel (or per image for the stamp's position).
#include "hourglass/data/noise.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "hourglass/error.hpp"

namespace hg {

const char* noise_name(NoiseKind kind) {
  switch (kind) {
    case NoiseKind::Gaussian: return "gaussian";
    case NoiseKind::Mask: return "mask";
    case NoiseKind::SaltPepper: return "salt-pepper";
    case NoiseKind::Stamp: return "stamp";
  }
  return "?";
}

NoiseKind parse_noise_kind(const std::string& name) {
  for (NoiseKind k : {NoiseKind::Gaussian, NoiseKind::Mask,
                      NoiseKind::SaltPepper, NoiseKind::Stamp})
    if (name == noise_name(k)) return k;
  fail("noise: unknown kind \"", name,
       "\" (expected gaussian, mask, salt-pepper or stamp)");
}

namespace {
void check_probability(const char* op, float p) {
  check(p >= 0.0f && p <= 1.0f, op, ": p = ", p, " (expected 0 <= p <= 1)");
}
}  // namespace

Tensor gaussian_corrupt(const Tensor& x, float sigma, Rng& rng) {
  check(sigma >= 0.0f && std::isfinite(sigma), "gaussian_corrupt: sigma = ",
        sigma, " (expected a finite value >= 0)");
  Tensor out(x);
  // Clamped, so the noisy image is still an image: a pixel cannot be
  // darker than black. (The clamp makes the noise slightly biased near 0
  // and 1; the network learns that too.)
  for (float& v : out) v = std::clamp(v + sigma * rng.normal(), 0.0f, 1.0f);
  return out;
}

Tensor mask_corrupt(const Tensor& x, float p, Rng& rng) {
  check_probability("mask_corrupt", p);
  Tensor out(x);
  for (float& v : out)
    if (rng.bernoulli(p)) v = 0.0f;
  return out;
}

Tensor salt_pepper_corrupt(const Tensor& x, float p, Rng& rng) {
  check_probability("salt_pepper_corrupt", p);
  Tensor out(x);
  for (float& v : out)
    if (rng.bernoulli(p)) v = rng.bernoulli(0.5f) ? 1.0f : 0.0f;
  return out;
}

Tensor stamp_pattern() {
  // "HG" in a 5-wide, 7-tall font, one column apart, inside a 1-pixel box
  // (9 × 13 with the box): '#' is ink.
  static const char* const rows[kStampH] = {
      "#############",  //
      "#           #",  //
      "# #  #  ### #",  //
      "# #  # #    #",  //
      "# #### # ## #",  //
      "# #  # #  # #",  //
      "# #  #  ### #",  //
      "#           #",  //
      "#############",  //
  };
  Tensor s(Shape{kStampH, kStampW});
  for (int r = 0; r < kStampH; ++r)
    for (int c = 0; c < kStampW; ++c) s.at(r, c) = rows[r][c] == '#' ? 1.0f : 0.0f;
  return s;
}

Tensor stamp_corrupt(const Tensor& x, int h, int w, float alpha, Rng& rng) {
  check(alpha >= 0.0f && alpha <= 1.0f, "stamp_corrupt: alpha = ", alpha,
        " (expected 0 <= alpha <= 1)");
  check(h >= kStampH && w >= kStampW, "stamp_corrupt: images of ", h, "x", w,
        " are smaller than the ", kStampH, "x", kStampW, " stamp");
  check(x.rank() == 2 && x.cols() == h * w, "stamp_corrupt: images are ",
        x.shape(), " (expected (N, ", h * w, ") for ", h, "x", w, " images)");
  static const Tensor s = stamp_pattern();
  Tensor out(x);
  for (int n = 0; n < x.rows(); ++n) {
    const int top = rng.below(h - kStampH + 1);
    const int left = rng.below(w - kStampW + 1);
    float* img = out.data() + static_cast<std::size_t>(n) * h * w;
    for (int r = 0; r < kStampH; ++r)
      for (int c = 0; c < kStampW; ++c) {
        const float a = alpha * s.at(r, c);
        float& v = img[(top + r) * w + left + c];
        v = (1.0f - a) * v + a;  // blend toward white where the stamp is
      }
  }
  return out;
}

Tensor corrupt(const Tensor& x, NoiseKind kind, float level, int h, int w,
               Rng& rng) {
  switch (kind) {
    case NoiseKind::Gaussian: return gaussian_corrupt(x, level, rng);
    case NoiseKind::Mask: return mask_corrupt(x, level, rng);
    case NoiseKind::SaltPepper: return salt_pepper_corrupt(x, level, rng);
    case NoiseKind::Stamp: return stamp_corrupt(x, h, w, level, rng);
  }
  fail("corrupt: unknown noise kind ", static_cast<int>(kind));
}

double psnr(const Tensor& clean, const Tensor& test) {
  check_same_shape("psnr", clean, test);
  check(clean.size() > 0, "psnr: empty images ", clean.shape());
  double sum = 0;
  for (std::size_t i = 0; i < clean.size(); ++i) {
    const double d = static_cast<double>(clean[i]) - test[i];
    sum += d * d;
  }
  const double mse = sum / static_cast<double>(clean.size());
  if (mse == 0) return std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(1.0 / mse);
}

}  // namespace hg
