#include "lesson_runner.hpp"

// Lesson 05 on a few hundred images (--quick, 20 epochs). Each denoiser
// must gain clearly over its noisy input, and the denoisers together must
// do better than the plain autoencoder fed the same noisy images (a lesson
// that forgot to corrupt the training input would tie with it). Bounds
// hold on real Fashion-MNIST and on the synthetic set, where masking noise
// hardly damages the mostly black images (so its own gain is not checked).
TEST_SUITE("lesson_05") {
  TEST_CASE("05_denoising --quick: every noise, PSNR gains, plain AE behind") {
    auto r = lesson_test::run("05_denoising", "--epochs 20 --small-epochs 60");
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

    // Stacking: level 1 alone is the gaussian denoiser on the same noisy
    // images (a stack built on the wrong model or the wrong codes breaks
    // this); the two-level stack still beats the mean image; both codes
    // carry the classes (chance is 0.1).
    CHECK(r.at("stacked_denoising_level1_psnr") ==
          doctest::Approx(r.at("gaussian_denoised_psnr")).epsilon(1e-4));
    CHECK(r.at("stacked_denoising_stack_psnr") > r.at("mean_image_psnr") + 1.0);
    CHECK(r.at("stacked_denoising_level1_accuracy") > 0.3);
    CHECK(r.at("stacked_denoising_level2_accuracy") > 0.2);

    // The noise-level sweep: σ = 0 on the full set is step 2's plain model;
    // every model learned something; the best σ is one of the levels.
    CHECK(r.at("small_data_sigma_0_full_clean_psnr") ==
          doctest::Approx(r.at("plain_clean_psnr")).epsilon(1e-4));
    for (const char* level : {"0", "0.2", "0.4"})
      for (const char* column : {"small_clean", "full_clean", "small_noisy", "full_noisy"}) {
        const std::string key = std::string("small_data_sigma_") + level + "_" + column + "_psnr";
        INFO(key);
        CHECK(r.at(key) > r.at("mean_image_psnr") + 0.5);
      }
    CHECK(r.at("small_data_train_size") == doctest::Approx(300));
    // On the small set, training with the test's noise beats training
    // without (on the synthetic set's black backgrounds too little to ask).
    if (lesson_test::have_fashion_mnist())
      CHECK(r.at("small_data_sigma_0.2_small_noisy_psnr") >
            r.at("small_data_sigma_0_small_noisy_psnr"));
  }

  TEST_CASE("05_denoising --noise stamp trains one denoiser only") {
    auto r = lesson_test::run("05_denoising", "--noise stamp --epochs 2");
    CHECK(r.count("stamp_gain_db") == 1);
    CHECK(r.count("gaussian_gain_db") == 0);
    CHECK(r.count("mask_gain_db") == 0);
  }
}
