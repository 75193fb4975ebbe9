#include "lesson_runner.hpp"

// Lesson 04 on a few hundred images (--quick, 15 epochs): the penalty must
// make the codes sparse (a KL term with a wrong sign or a missing β would
// leave them as busy as the unpenalised model's), both autoencoders must
// have learned something (against the lesson's "mean image" answer), and
// the classifiers must be far above chance (10 classes: 0.1). On the
// synthetic set (used only without Fashion-MNIST) 512 images teach the
// sparse model little in a quick run, so its bounds there are looser.
TEST_SUITE("lesson_04") {
  TEST_CASE("04_sparse --quick: sparse codes, trained models, useful features") {
    auto r = lesson_test::run("04_sparse", "--epochs 15");
    const bool real = lesson_test::have_fashion_mnist();
    const double rho = r.at("rho");
    CHECK(r.at("hidden") == doctest::Approx(1000));
    CHECK(rho == doctest::Approx(0.05));
    // Sparsity: the mean activation is pulled from ~0.3 down near ρ.
    CHECK(r.at("dense_mean_activation") > 0.15);
    CHECK(r.at("sparse_mean_activation") < 0.4 * r.at("dense_mean_activation"));
    CHECK(r.at("sparse_mean_activation") < 2 * rho);
    CHECK(r.at("sparse_mean_activation") > 0.5 * rho);
    CHECK(r.at("sparse_on_fraction") < 0.2 * r.at("dense_on_fraction"));
    // Reconstruction: the unpenalised model is far better than the mean
    // image; the sparse one pays for its sparsity but still learned.
    const double baseline = r.at("mean_image_error");
    CHECK(r.at("dense_test_error") < 0.6 * baseline);
    CHECK(r.at("sparse_test_error") < (real ? 0.85 : 1.6) * baseline);
    CHECK(r.at("sparse_test_error") > r.at("dense_test_error"));
    // Features: both classifiers well above chance (the synthetic set's
    // quick sparse codes are too raw to ask more than the pixels' bound).
    CHECK(r.at("pixels_accuracy") > 0.5);
    if (real) CHECK(r.at("codes_accuracy") > 0.4);
    CHECK(r.at("dense_codes_accuracy") > 0.5);  // the control is measured too
    // L1 on the weights: the subgradient leaves almost no weight at exactly 0
    // (|w| < 1e-6), the soft-threshold step many; both runs shrink about as
    // many weights below 1e-3, and both learned (a soft-threshold with the
    // wrong sign or threshold breaks one of these).
    CHECK(r.at("l1_subgradient_zero_fraction") < 0.002);
    CHECK(r.at("l1_proximal_zero_fraction") > 0.005);
    CHECK(r.at("l1_proximal_zero_fraction") > 20 * r.at("l1_subgradient_zero_fraction"));
    CHECK(r.at("l1_proximal_small_fraction") < 1.5 * r.at("l1_subgradient_small_fraction"));
    CHECK(r.at("l1_subgradient_test_error") < baseline);
    CHECK(r.at("l1_proximal_test_error") < baseline);
  }
}
