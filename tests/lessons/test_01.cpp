#include "lesson_runner.hpp"

// Lesson 01 on a few hundred images (--quick): every number it reports must
// be sane, and the training must have done something. The yardstick is the
// lesson's own "mean image" baseline (answer every input with the average
// training image): a model that learned nothing scores about that. On the
// synthetic set (used only when Fashion-MNIST is not installed) 512 images
// teach the sigmoid model little in a quick run, so there the bound only
// says that training did not make things worse.
TEST_SUITE("lesson_01") {
  TEST_CASE("01_vanilla --quick trains and beats the mean image") {
    auto r = lesson_test::run("01_vanilla", "--epochs 20 --side-epochs 10");
    const bool real = lesson_test::have_fashion_mnist();
    const double baseline = r.at("mean_image_error");
    CHECK(r.at("compression") == doctest::Approx(24.5));
    CHECK(baseline > 0.01);
    CHECK(r.at("pca_test_error") < 0.5 * baseline);
    CHECK(r.at("sgd_test_error") < (real ? 0.8 : 1.05) * baseline);
    CHECK(r.at("adam_test_error") < (real ? 0.7 : 1.05) * baseline);
    CHECK(r.at("bce_short_test_error") < (real ? 0.95 : 1.05) * baseline);
    CHECK(r.at("wide_test_error") < (real ? 0.8 : 1.05) * baseline);
    // The absolute-error side run learns slowest of the three in so few
    // steps: bounded as "not blown up", and nearly as good as the
    // squared-error run on the absolute error it was trained for.
    CHECK(r.at("mae_short_test_error") < 1.5 * baseline);
    CHECK(r.at("mae_short_test_abs_error") > 0.0);
    CHECK(r.at("mae_short_test_abs_error") < 1.2 * r.at("mse_short_test_abs_error"));
  }
}
