#include "lesson_runner.hpp"

// Lesson 09 on a few hundred images (--quick): k-means on every feature set
// finds clusters that follow the classes far better than shuffled clusters
// of the same sizes, on the training points and on test points sent to the
// nearest centroid; the nearest neighbours of a test image share its class
// far more often than chance (0.1); and one linear layer reads the classes
// from each feature set far above chance. The autoencoder, barely trained
// on 512 images, must still reconstruct clearly better than the mean image.
TEST_SUITE("lesson_09") {
  TEST_CASE("09_codes --quick: clusters, neighbours and classifiers beat chance") {
    auto r = lesson_test::run("09_codes");
    CHECK(r.at("ae_test_error") < 0.6 * r.at("mean_image_error"));
    CHECK(r.at("retrieval_queries") >= 100);
    for (const char* k : {"ae", "ae_std", "pca", "pixels"}) {
      CAPTURE(k);
      const std::string s = k;
      CHECK(r.at(s + "_purity") > r.at(s + "_random_purity") + 0.2);
      CHECK(r.at(s + "_test_purity") > r.at(s + "_random_purity") + 0.15);
      CHECK(r.at("retrieval_" + s + "_precision10") > 0.35);
      CHECK(r.at("retrieval_" + s + "_precision10") <= 1.0);
      CHECK(r.at(s + "_accuracy") > 0.5);
    }
  }
}
