#include "lesson_runner.hpp"

// Lesson 05 on a few hundred images (--quick, 20 epochs). Each denoiser
// must gain clearly over its noisy input, and the denoisers together must
// do better than the plain autoencoder fed the same noisy images (a lesson
// that forgot to corrupt the training input would tie with it). Bounds
// hold on real Fashion-MNIST and on the synthetic set, where masking noise
// hardly damages the mostly black images (so its own gain is not checked).
TEST_SUITE("lesson_05") {
  TEST_CASE("05_denoising --quick: every noise, PSNR gains, plain AE behind") {
    auto r = lesson_test::run("05_denoising", "--epochs 20");
    CHECK(r.at("hidden") == doctest::Approx(256));
    // The plain autoencoder learned something on clean images.
    CHECK(r.at("plain_clean_psnr") > r.at("mean_image_psnr") + 1.0);
    CHECK(r.at("gaussian_gain_db") > 2.0);
    CHECK(r.at("salt-pepper_gain_db") > 2.5);
    CHECK(r.at("mask_denoised_psnr") > r.at("mean_image_psnr") + 0.5);
    CHECK(r.at("stamp_denoised_psnr") > r.at("mean_image_psnr") + 0.5);
    double ahead = 0;  // denoiser minus plain AE, summed over the noises
    for (const char* k : {"gaussian", "mask", "salt-pepper", "stamp"}) {
      const std::string key(k);
      ahead += r.at(key + "_denoised_psnr") - r.at(key + "_plain_psnr");
    }
    CHECK(ahead > 1.0);
  }

  TEST_CASE("05_denoising --noise stamp trains one denoiser only") {
    auto r = lesson_test::run("05_denoising", "--noise stamp --epochs 2");
    CHECK(r.count("stamp_gain_db") == 1);
    CHECK(r.count("gaussian_gain_db") == 0);
    CHECK(r.count("mask_gain_db") == 0);
  }
}
