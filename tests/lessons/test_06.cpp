#include "lesson_runner.hpp"

// Lesson 06 on a few hundred images (--quick): the VAE must learn (its test
// negative ELBO well below the "mean image" level, the loss of a VAE whose
// code carries nothing), its two parts must add up, the code must be used
// (KL > 0, units with KL), the importance-weighted bound must sit below the
// ELBO while the sampled ELBO agrees with the closed-form one (a broken
// reparameterisation splits those two apart), and an attribute vector must
// move decodings towards the other class where a random push as long does
// not. Bounds are looser on the synthetic set (used only when Fashion-MNIST
// is not installed), where 512 images teach less.
TEST_SUITE("lesson_06") {
  TEST_CASE("06_variational --quick trains a VAE that beats the mean image") {
    auto r = lesson_test::run(
        "06_variational",
        "--epochs 20 --ae-epochs 10 --iw-samples 20");
    const bool real = lesson_test::have_fashion_mnist();
    const double baseline = r.at("mean_image_bce");
    const double neg_elbo = r.at("test_neg_elbo");
    CHECK(baseline > 50);
    CHECK(r.at("untrained_neg_elbo") > baseline);
    CHECK(neg_elbo < (real ? 0.82 : 0.93) * baseline);
    CHECK(r.at("test_rec") + r.at("test_kl") == doctest::Approx(neg_elbo).epsilon(1e-4));
    CHECK(r.at("test_kl") > 2);
    CHECK(r.at("active_units") >= 2);
    CHECK(r.at("active_units") <= r.at("latent_units"));
    // The same quantity two ways: KL in closed form, or by sampling.
    CHECK(r.at("iw_neg_elbo") == doctest::Approx(neg_elbo).epsilon(0.03));
    // log-mean-exp >= mean, so the k-sample bound is tighter.
    CHECK(r.at("iw_neg_bound") < r.at("iw_neg_elbo") - 2);
    CHECK(r.at("iw_neg_bound") > 0.5 * neg_elbo);
    CHECK(r.at("ae_test_bce") < (real ? 0.82 : 0.93) * baseline);
    for (const char* pair : {"attribute_3_to_1", "attribute_7_to_9"}) {
      CAPTURE(pair);
      const std::string k = pair;
      CHECK(r.at(k + "_after") > r.at(k + "_before") + 0.3);
      // On the synthetic shapes a random push as long moves dots to frames
      // too (their mean images differ little), so the control counts on
      // Fashion-MNIST only.
      if (real) CHECK(r.at(k + "_after") > r.at(k + "_random") + 0.3);
    }
  }
}
