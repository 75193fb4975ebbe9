#include <cstdlib>
#include <string>

#include "lesson_runner.hpp"

// Lesson 03 on a few hundred images (--quick), with batches of 16 so each
// stage takes enough steps to learn something (512 images / 16 = 32 steps
// per epoch). The bounds hold on Fashion-MNIST and on the synthetic shapes
// for seeds 1-3 with room to spare; a lesson whose training or stacking is
// broken sits at the mean image and fails them. Which recipe wins is NOT
// checked for the sigmoid net: on a few hundred images it varies by seed.
TEST_SUITE("lesson_03") {
  TEST_CASE("03_stacked --quick, sigmoid: fine-tuning improves on the greedy stack") {
    auto r = lesson_test::run("03_stacked", "--batch-size 16");
    CHECK(r.at("depth") == 3);
    CHECK(r.at("code_size") == 32);
    CHECK(r.at("relu") == 0);
    CHECK(r.at("tied") == 0);
    // Same total epochs: 3 floors × 3 pretraining epochs + 6 fine-tuning.
    CHECK(r.at("scratch_epochs") == 15);
    // The first floor alone (784-256-784, a wide code) learned something.
    CHECK(r.at("floor1_test_error") < 0.9 * r.at("mean_test_error"));
    // Stacking adds the floors' errors: worse than floor 1 alone...
    CHECK(r.at("pretrained_test_error") > r.at("floor1_test_error"));
    // ...and fine-tuning end to end repairs a good part of it.
    CHECK(r.at("finetuned_test_error") < 0.9 * r.at("pretrained_test_error"));
    CHECK(r.at("finetuned_test_error") < 0.9 * r.at("mean_test_error"));
    CHECK(r.at("scratch_test_error") < r.at("mean_test_error"));
    CHECK(r.at("pca_test_error") < 0.03);
    // The first layer's filters moved (median ‖w − w⁰‖/‖w⁰‖ per filter):
    // by pretraining, again by fine-tuning, and in the net from scratch.
    CHECK(r.at("w1_median_change_by_pretraining") > 0.1);
    CHECK(r.at("w1_median_change_by_finetuning") > 0.05);
    CHECK(r.at("w1_median_change_from_scratch") > 0.1);
    CHECK(r.at("w1_median_change_from_scratch") < 5);
  }

  TEST_CASE("03_stacked --quick, relu and tied weights: both recipes train") {
    auto r = lesson_test::run("03_stacked",
                              "--batch-size 16 --activation relu --tied");
    CHECK(r.at("relu") == 1);
    CHECK(r.at("tied") == 1);
    CHECK(r.at("finetuned_test_error") < 0.6 * r.at("pretrained_test_error"));
    CHECK(r.at("finetuned_test_error") < 0.5 * r.at("mean_test_error"));
    CHECK(r.at("scratch_test_error") < 0.5 * r.at("mean_test_error"));
  }

  TEST_CASE("03_stacked rejects an unknown activation") {
    const char* dir = std::getenv("HG_LESSON_DIR");
    REQUIRE(dir != nullptr);
    const std::string command = std::string(dir) +
                                "/03_stacked --quick --synthetic --activation tanh"
                                " --out /tmp/hourglass-test-03-bad </dev/null >/dev/null 2>&1";
    CHECK(std::system(command.c_str()) != 0);
  }
}
