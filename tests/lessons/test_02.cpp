#include "lesson_runner.hpp"

// Lesson 02 on a few hundred images (--quick). The first run checks that
// every reported number is sane and that training did something; the
// second checks the lesson's claim itself, at the code size where a short
// run can show it: with a 2-number code, the deep (non-linear) autoencoder
// beats PCA, which a linear model never can.
TEST_SUITE("lesson_02") {
  TEST_CASE("02_deep --quick: He init, training, and the PCA sweep") {
    auto r = lesson_test::run("02_deep");
    CHECK(r.at("code_size") == doctest::Approx(32));
    // He keeps the signal's size through the ReLU layers; Xavier shrinks it
    // (by about 5x at the last hidden layer of this stack).
    CHECK(r.at("init_he_last_rms") > 2.5 * r.at("init_xavier_last_rms"));
    CHECK(r.at("init_he_last_rms") ==
          doctest::Approx(r.at("init_he_first_rms")).epsilon(0.3));
    // Backwards, with a random gradient at the output, each ReLU layer
    // n → m multiplies the gradient's RMS by √(m/n): 256 → 64 halves it
    // (784-256-64 encoder), 64 → 256 doubles it (the decoder).
    CHECK(r.at("init_back_first_predicted") == doctest::Approx(0.5));
    CHECK(r.at("init_back_last_predicted") == doctest::Approx(2.0));
    CHECK(r.at("init_back_first_random") ==
          doctest::Approx(r.at("init_back_first_predicted")).epsilon(0.15));
    CHECK(r.at("init_back_last_random") ==
          doctest::Approx(r.at("init_back_last_predicted")).epsilon(0.15));
    // The loss's own gradient shrinks through the encoder and grows
    // through the decoder too.
    CHECK(r.at("init_back_first_loss") < 1);
    CHECK(r.at("init_back_last_loss") > 1);
    // The trained model is far better than the lazy mean image (a broken
    // training loop would sit at about 1x).
    CHECK(r.at("deep_test_error") < 0.6 * r.at("mean_image_error"));
    CHECK(r.at("deep_final_val_error") < 0.6 * r.at("mean_image_error"));
    CHECK(r.at("sweep_deep_8") < 0.85 * r.at("mean_image_error"));
    // PCA's error falls with every component added, and the sweep's k = 32
    // is step 2's PCA.
    CHECK(r.at("sweep_pca_2") > r.at("sweep_pca_8"));
    CHECK(r.at("sweep_pca_8") > r.at("sweep_pca_32"));
    CHECK(r.at("sweep_pca_32") > r.at("sweep_pca_64"));
    CHECK(r.at("sweep_pca_32") == doctest::Approx(r.at("pca_test_error")));
    CHECK(r.at("pca_test_error") < 0.5 * r.at("mean_image_error"));
    CHECK(r.at("margin_vs_pca_percent") ==
          doctest::Approx(100 * (1 - r.at("deep_test_error") /
                                         r.at("pca_test_error"))));
  }

  TEST_CASE("02_deep --quick, code size 2: the deep autoencoder beats PCA") {
    // 60 short epochs on 512 images: about 2 s of compute. Measured on
    // Fashion-MNIST and on the synthetic shapes, seeds 1, 2 and 42: the
    // deep error is 0.78 to 0.84 of PCA's; a linear model would be >= 1.
    auto r = lesson_test::run("02_deep",
                              "--code-size 2 --epochs 60 --sweep-epochs 1");
    CHECK(r.at("deep_test_error") < 0.92 * r.at("pca_test_error"));
  }
}
