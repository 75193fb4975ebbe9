#include "lesson_runner.hpp"

// Lesson 07 on a few hundred images (--quick). Bounds a broken lesson would
// miss, on real Fashion-MNIST: both autoencoders clearly beat the mean image
// (a model that learned nothing scores about that; a quick run gives about
// 0.35 of its error), and the inpainting network fills the holes far better
// than the plain autoencoder, which copies them, and than the mean image
// (about 0.25 and 0.5 of their errors). The synthetic set (used only when
// Fashion-MNIST is not installed) teaches less in a quick run, so there the
// bounds only say that training did not make things worse and that
// inpainting training helped in the holes.
TEST_SUITE("lesson_07") {
  TEST_CASE("07_convolutional --quick: conv and dense autoencoders, inpainting") {
    auto r = lesson_test::run("07_convolutional", "--epochs 20 --inpaint-epochs 5");
    const bool real = lesson_test::have_fashion_mnist();
    const double baseline = r.at("mean_image_error");
    CHECK(r.at("code_size") == 32);
    CHECK(baseline > 0.01);
    CHECK(r.at("pca_test_error") < 0.5 * baseline);
    CHECK(r.at("conv_params") == 54369);  // the layer table of step 2
    CHECK(r.at("dense_params") == 439728);
    CHECK(r.at("conv_test_error") < (real ? 0.5 : 1.1) * baseline);
    CHECK(r.at("dense_test_error") < (real ? 0.5 : 1.1) * baseline);
    CHECK(r.at("hole_inpaint_error") < (real ? 0.5 : 0.9) * r.at("hole_plain_error"));
    CHECK(r.at("hole_inpaint_error") < (real ? 0.7 : 0.9) * r.at("hole_mean_error"));
    CHECK(r.at("hole_inpaint_error") < 0.6 * r.at("hole_zero_error"));
    CHECK(r.at("inpaint_clean_error") < (real ? 0.7 : 1.1) * baseline);
    CHECK(r.at("channels") == 8);
    CHECK(r.at("hole") == 10);
    CHECK(r.at("conv_epoch_seconds") > 0);
  }
}
