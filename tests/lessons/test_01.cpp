#include "lesson_runner.hpp"

// Lesson 01 on a few hundred images (--quick): every number it reports must
// be sane, and the training must have done something.
TEST_SUITE("lesson_01") {
  TEST_CASE("01_vanilla --quick trains and beats its starting point") {
    auto r = lesson_test::run("01_vanilla");
    CHECK(r.at("compression") == doctest::Approx(24.5));
    // A model that outputs 0.5 everywhere scores about 0.1 per pixel on
    // Fashion-MNIST; the trained one must do clearly better.
    CHECK(r.at("sgd_test_error") < 0.095);
    CHECK(r.at("adam_test_error") < 0.11);
    CHECK(r.at("pca_test_error") < 0.03);
    CHECK(r.at("adam_final_train_loss") < 90);
    CHECK(r.at("wide_shapes_error") < r.at("narrow_shapes_error"));
  }
}
