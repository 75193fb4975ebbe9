#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "hourglass/tensor.hpp"

using hg::Shape;
using hg::Tensor;

TEST_SUITE("tensor") {
  TEST_CASE("shapes know their rank, size and matrix view") {
    Shape s{2, 3, 4};
    CHECK(s.rank() == 3);
    CHECK(s.numel() == 24);
    CHECK(s.rows() == 2);
    CHECK(s.cols() == 12);
    CHECK(s.str() == "(2, 3, 4)");
    CHECK(Shape{}.numel() == 1);  // a scalar holds one number
    CHECK(Shape{5, 0}.numel() == 0);
    CHECK_THROWS_AS(Shape({1, 2, 3, 4, 5}), hg::Error);
    CHECK_THROWS_AS(Shape({2, -1}), hg::Error);
    CHECK_THROWS_AS(s[3], hg::Error);
  }

  TEST_CASE("storage is zeroed, filled, 64-byte aligned") {
    Tensor t(Shape{7, 13});
    CHECK(t.size() == 91);
    CHECK(reinterpret_cast<std::uintptr_t>(t.data()) % 64 == 0);
    for (float v : t) CHECK(v == 0.0f);
    t.fill(2.5f);
    CHECK(t.at(6, 12) == 2.5f);
    Tensor u(Shape{3}, 1.0f);
    CHECK(u[2] == 1.0f);
  }

  TEST_CASE("values in row-major order, bounds-checked access") {
    Tensor t(Shape{2, 3}, {1, 2, 3, 4, 5, 6});
    CHECK(t.at(0, 2) == 3);
    CHECK(t.at(1, 0) == 4);
    CHECK_THROWS_AS(t.at(2, 0), hg::Error);
    CHECK_THROWS_AS(t.at(0, -1), hg::Error);
    CHECK_THROWS_AS(Tensor(Shape{2, 2}, {1, 2, 3}), hg::Error);
  }

  TEST_CASE("copies are deep, moves steal") {
    Tensor a(Shape{4}, {1, 2, 3, 4});
    Tensor b = a;
    b[0] = 9;
    CHECK(a[0] == 1);
    const float* storage = a.data();
    Tensor c = std::move(a);
    CHECK(c.data() == storage);
    CHECK(c[3] == 4);
    Tensor d;
    d = c;
    CHECK(d.shape() == c.shape());
    CHECK(d.data() != c.data());
  }

  TEST_CASE("an empty tensor copies as an empty tensor") {
    const Tensor empty;
    Tensor a = empty;  // copy-construct: nothing to read from
    CHECK(a.empty());
    CHECK(a.shape() == empty.shape());
    Tensor b(Shape{3}, 1.0f);
    b = empty;  // copy-assign over a full one
    CHECK(b.empty());
    std::vector<Tensor> held{Tensor(), Tensor(Shape{2}, 5.0f)};
    std::vector<Tensor> copied = held;
    CHECK(copied[0].empty());
    CHECK(copied[1][1] == 5.0f);
  }

  TEST_CASE("reshape keeps the numbers, resize keeps the allocation") {
    Tensor t(Shape{2, 6}, 1.0f);
    const float* storage = t.data();
    t.reshape(Shape{3, 4});
    CHECK(t.shape() == Shape{3, 4});
    CHECK(t.data() == storage);
    try {
      t.reshape(Shape{5, 5});
      FAIL("reshape to a different count must throw");
    } catch (const hg::Error& e) {
      const std::string msg = e.what();
      CHECK(msg.find("(3, 4)") != std::string::npos);
      CHECK(msg.find("(5, 5)") != std::string::npos);
    }
    t.resize(Shape{2, 2});  // smaller: same memory
    CHECK(t.data() == storage);
    CHECK(t.size() == 4);
    t.resize(Shape{100, 100});  // larger: new memory
    CHECK(t.size() == 10000);
  }

  TEST_CASE("printing elides large axes") {
    Tensor t(Shape{2, 3}, {1, 2, 3, 4, 5, 6});
    CHECK(t.str() == "(2, 3) [[1, 2, 3], [4, 5, 6]]");
    Tensor big(Shape{1, 100}, 0.0f);
    const std::string s = big.str(4);
    CHECK(s == "(1, 100) [[0, 0, ..., 0, 0]]");
  }

  TEST_CASE("rows: one row as a span, the first n, the ones at given indices") {
    Tensor t(Shape{3, 2, 2}, {0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23});  // 3 rows of 4
    CHECK(t.row(1).size() == 4);
    CHECK(t.row(1)[0] == 10);
    CHECK(t.row(2)[3] == 23);
    t.row(0)[1] = -1;
    CHECK(t.at(0, 1) == -1);
    CHECK_THROWS_WITH_AS(t.row(3), doctest::Contains("Tensor::row(3): out of range"), hg::Error);
    const Tensor two = hg::first_rows(t, 2);
    CHECK(two.shape() == Shape{2, 4});
    CHECK(two.at(1, 3) == 13);
    CHECK(hg::first_rows(t, 0).size() == 0);
    CHECK_THROWS_WITH_AS(hg::first_rows(t, 4), doctest::Contains("expected 0 to 3"), hg::Error);
    const std::vector<int> picks{2, 0, 2};
    const Tensor g = hg::gather_rows(t, picks);
    CHECK(g.shape() == Shape{3, 4});
    CHECK(g.at(0, 0) == 20);
    CHECK(g.at(1, 1) == -1);
    CHECK(g.at(2, 3) == 23);
    const std::vector<int> bad{1, 5};
    CHECK_THROWS_WITH_AS(hg::gather_rows(t, bad), doctest::Contains("Tensor::row(5)"), hg::Error);
  }

  TEST_CASE("check_same_shape names the op and both shapes") {
    Tensor a(Shape{2, 3}), b(Shape{3, 2});
    CHECK_NOTHROW(hg::check_same_shape("add", a, a));
    try {
      hg::check_same_shape("add", a, b);
      FAIL("expected hg::Error");
    } catch (const hg::Error& e) {
      CHECK(std::string(e.what()) ==
            "add: shapes differ: (2, 3) vs (3, 2) (expected the same shape)");
    }
  }
}
