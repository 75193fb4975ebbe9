#include "lesson_runner.hpp"

// Lesson 08 on a few hundred images (--quick). What must hold for the lesson
// to be telling the truth:
//  - the contractive model's encoder Jacobian is clearly smaller than the
//    plain model's, and so is the measured code displacement;
//  - the contraction is uneven, as it should be: relative to random
//    directions, the contractive code follows moves toward other images
//    clearly more than the plain code does (≈ 6-8× against ≈ 3-4× in quick
//    runs on seeds 1-3);
//  - the measured displacement per unit of random perturbation agrees with
//    the closed form, ‖J‖_F / √D (a wrong penalty or a wrong measurement
//    breaks it);
//  - a random direction moves the code between 1/√D and all of what the
//    worst direction σ_max(J) does, and σ_max(J) ≤ ‖J‖_F (a wrong power
//    iteration or a wrong σ_max breaks one of them);
//  - on Fashion-MNIST both models reconstruct clearly better than the mean
//    image (on the synthetic set a quick run teaches the sigmoid model
//    little, as in lesson 01: there training must only not make it worse).
TEST_SUITE("lesson_08") {
  TEST_CASE("08_contractive --quick: smaller Jacobian, codes move less") {
    auto r = lesson_test::run("08_contractive", "--epochs 10");
    const double baseline = r.at("mean_image_error");
    CHECK(baseline > 0.01);
    const bool real = lesson_test::have_fashion_mnist();
    CHECK(r.at("plain_test_error") < (real ? 0.7 : 1.05) * baseline);
    CHECK(r.at("cae_test_error") < (real ? 0.7 : 1.05) * baseline);
    CHECK(r.at("cae_jacobian") < 0.7 * r.at("plain_jacobian"));
    CHECK(r.at("sensitivity_ratio") < 0.7);
    CHECK(r.at("cae_data_over_random") > 1.3 * r.at("plain_data_over_random"));
    CHECK(r.at("plain_sensitivity") ==
          doctest::Approx(r.at("plain_predicted_sensitivity")).epsilon(0.1));
    CHECK(r.at("cae_sensitivity") ==
          doctest::Approx(r.at("cae_predicted_sensitivity")).epsilon(0.1));
    for (const char* model : {"plain", "cae"}) {
      const std::string m(model);
      INFO("model: ", m);
      CHECK(r.at(m + "_random_over_worst") >= 0.999 * r.at("inv_sqrt_d"));
      CHECK(r.at(m + "_random_over_worst") < 1.0);
      CHECK(r.at(m + "_worst_gain") > r.at(m + "_sensitivity"));
      CHECK(r.at(m + "_worst_gain") <= 1.001 * r.at(m + "_jacobian"));
    }
  }
}
