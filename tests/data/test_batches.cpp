#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

#include "hourglass/data/batches.hpp"
#include "hourglass/error.hpp"

namespace {

// Sample i has every pixel equal to i and label i % 7.
hg::Dataset numbered(int n) {
  hg::Dataset d;
  d.height = 1;
  d.width = 4;
  d.class_names = {"0", "1", "2", "3", "4", "5", "6"};
  d.images = hg::Tensor(hg::Shape{n, 4});
  for (int i = 0; i < n; ++i) {
    for (int p = 0; p < 4; ++p) d.images.at(i, p) = float(i);
    d.labels.push_back(std::uint8_t(i % 7));
  }
  return d;
}

// The sample rows of one epoch, in the order the batches gave them,
// checking along the way that images, labels and indices agree.
std::vector<int> epoch(hg::Batches& batches,
                       std::vector<int>* sizes = nullptr) {
  std::vector<int> rows;
  int expect_index = 0;
  for (const hg::Batch& b : batches) {
    CHECK(b.index == expect_index++);
    CHECK(b.images.rows() == b.size());
    CHECK(b.images.cols() == 4);
    CHECK(int(b.indices.size()) == b.size());
    for (int k = 0; k < b.size(); ++k) {
      const int row = int(b.images.at(k, 3));
      CHECK(row == b.indices[k]);
      CHECK(b.labels[k] == row % 7);
      rows.push_back(row);
    }
    if (sizes) sizes->push_back(b.size());
  }
  return rows;
}

}  // namespace

TEST_SUITE("batches") {
  TEST_CASE("without an Rng: dataset order, last batch smaller") {
    const hg::Dataset d = numbered(10);
    hg::Batches batches(d, 4, nullptr);
    CHECK(batches.size() == 3);
    std::vector<int> sizes;
    const std::vector<int> rows = epoch(batches, &sizes);
    CHECK(sizes == std::vector<int>{4, 4, 2});
    for (int i = 0; i < 10; ++i) CHECK(rows[i] == i);
  }

  TEST_CASE("every sample exactly once per epoch, for odd sizes") {
    for (int n : {1, 7, 33, 127}) {
      for (int bs : {1, 5, 32, 200}) {
        CAPTURE(n);
        CAPTURE(bs);
        const hg::Dataset d = numbered(n);
        hg::Rng rng(3);
        hg::Batches batches(d, bs, &rng);
        CHECK(batches.size() == (n + bs - 1) / bs);
        for (int e = 0; e < 2; ++e) {
          std::vector<int> rows = epoch(batches);
          std::sort(rows.begin(), rows.end());
          REQUIRE(int(rows.size()) == n);
          for (int i = 0; i < n; ++i) CHECK(rows[i] == i);
          batches.reshuffle();
        }
      }
    }
  }

  TEST_CASE("shuffles are seeded and differ between epochs") {
    const hg::Dataset d = numbered(50);
    hg::Rng a(9), b(9);
    hg::Batches ba(d, 8, &a), bb(d, 8, &b);
    const auto first = epoch(ba);
    CHECK(first == epoch(bb));
    bool shuffled = false;
    for (int i = 0; i < 50; ++i) shuffled |= first[i] != i;
    CHECK(shuffled);
    ba.reshuffle();
    CHECK(epoch(ba) != first);
    // A new Batches per epoch draws a new order from the same Rng.
    CHECK(epoch(*std::make_unique<hg::Batches>(hg::batches(d, 8, a))) != first);
  }

  TEST_CASE("the batch tensor is reused, not reallocated") {
    const hg::Dataset d = numbered(23);
    hg::Batches batches(d, 5, nullptr);
    const float* storage = batches.load(0).images.data();
    for (int i = 0; i < batches.size(); ++i)
      CHECK(batches.load(i).images.data() == storage);
    CHECK(batches.load(4).size() == 3);
  }

  TEST_CASE("bad arguments") {
    const hg::Dataset d = numbered(5);
    CHECK_THROWS_AS(hg::Batches(d, 0, nullptr), hg::Error);
    hg::Batches batches(d, 2, nullptr);
    CHECK_THROWS_AS(batches.load(3), hg::Error);
    hg::Dataset empty = numbered(0);
    hg::Batches none(empty, 4, nullptr);
    CHECK(none.size() == 0);
    CHECK(epoch(none).empty());
  }
}
