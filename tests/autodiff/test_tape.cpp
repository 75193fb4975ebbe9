// The tape itself: leaves, the reverse walk, accumulation, reuse, errors.
#include <doctest/doctest.h>

#include "hourglass/autodiff/ops.hpp"

using hg::Parameter;
using hg::Shape;
using hg::Tape;
using hg::Tensor;
using hg::Var;

TEST_SUITE("tape") {
  TEST_CASE("gradient of a small expression, by hand") {
    // L = Σ (x ⊙ w + w)  with x = [1, 2, 3], w = [4, 5, 6]
    // ∂L/∂w = x + 1 = [2, 3, 4]
    Tape tape;
    Parameter w("w", Tensor(Shape{1, 3}, {4, 5, 6}));
    Var x = tape.input(Tensor(Shape{1, 3}, {1, 2, 3}));
    Var W = tape.param(w);
    Var loss = sum(x * W + W);
    CHECK(loss.item() == doctest::Approx(4 + 10 + 18 + 15));
    tape.backward(loss);
    CHECK(w.grad[0] == 2);
    CHECK(w.grad[1] == 3);
    CHECK(w.grad[2] == 4);
    CHECK(W.grad()[2] == 4);  // the Var sees the Parameter's gradient
  }

  TEST_CASE("a value used twice receives both contributions") {
    // L = Σ a ⊙ a = Σ a²  ⇒  ∂L/∂a = 2a
    Tape tape;
    Parameter a("a", Tensor(Shape{2}, {3, -1}));
    Var A = tape.param(a);
    tape.backward(sum(A * A));
    CHECK(a.grad[0] == 6);
    CHECK(a.grad[1] == -2);
  }

  TEST_CASE("parameter gradients accumulate until zeroed explicitly") {
    Parameter a("a", Tensor(Shape{1, 2}, {1, 2}));
    Tape tape;
    for (int pass = 0; pass < 2; ++pass) {
      tape.clear();
      tape.backward(sum(tape.param(a) * 3.0f));
    }
    CHECK(a.grad[0] == 6);  // 3 + 3
    a.grad.zero();
    tape.clear();
    tape.backward(sum(tape.param(a) * 3.0f));
    CHECK(a.grad[1] == 3);
  }

  TEST_CASE("intermediate gradients are fresh on every backward") {
    Parameter a("a", Tensor(Shape{1, 1}, {2}));
    Tape tape;
    Var h = tape.param(a) * 5.0f;
    Var loss = sum(h);
    tape.backward(loss);
    tape.backward(loss);
    CHECK(h.grad()[0] == 1);       // not 2: intermediates are re-zeroed
    CHECK(a.grad[0] == 10);        // parameters accumulate: 5 + 5
  }

  TEST_CASE("inputs carry no gradient and their buffers are left alone") {
    Tape tape;
    Parameter w("w", Tensor(Shape{1, 2}, {1, 1}));
    Var x = tape.input(Tensor(Shape{1, 2}, {1, 2}));
    Var x2 = x * 2.0f;  // depends on inputs only
    Var loss = sum(x2 * tape.param(w));
    tape.backward(loss);
    CHECK(tape.node(x2.index()).grad_buffer.size() == 0);
    CHECK_THROWS_AS(x.grad(), hg::Error);
    CHECK(w.grad[1] == 4);
  }

  TEST_CASE("the input is copied: changing the source later changes nothing") {
    Tape tape;
    Tensor t(Shape{1, 1}, {3});
    Var x = tape.input(t);
    t[0] = 7;
    CHECK(x.item() == 3);
  }

  TEST_CASE("bind sends a parameter's gradient to another buffer") {
    Parameter w("w", Tensor(Shape{1, 3}, {1.0f, 2.0f, 3.0f}));
    Tensor elsewhere(Shape{1, 3});
    Tape tape;
    tape.bind(w, nullptr, &elsewhere);
    tape.backward(sum(square(tape.param(w))));
    CHECK(elsewhere[2] == 6.0f);  // d(Σ w²)/dw = 2w
    CHECK(w.grad[2] == 0.0f);
    tape.clear();  // bindings outlive clear()
    tape.backward(sum(tape.param(w)));
    CHECK(elsewhere[2] == 7.0f);
    tape.unbind_all();
    tape.clear();
    tape.backward(sum(tape.param(w)));
    CHECK(w.grad[2] == 1.0f);
    Tensor wrong(Shape{3, 1});
    CHECK_THROWS_WITH_AS(tape.bind(w, nullptr, &wrong),
                         doctest::Contains("\"w\" has shape (3, 1), expected (1, 3)"),
                         hg::Error);
  }

  TEST_CASE("bind makes param nodes read another tensor") {
    Parameter w("w", Tensor(Shape{1, 3}, {1.0f, 2.0f, 3.0f}));
    const Tensor copy(Shape{1, 3}, {4.0f, 5.0f, 6.0f});
    Tape tape;
    tape.bind(w, &copy, nullptr);
    const Var y = sum(square(tape.param(w)));
    CHECK(y.item() == 77.0f);  // 16 + 25 + 36: the copy's numbers
    tape.backward(y);
    CHECK(w.grad[2] == 12.0f);  // gradients still go to the Parameter
    tape.bind(w, nullptr, nullptr);  // binding again replaces: p's own
    tape.clear();
    CHECK(sum(tape.param(w)).item() == 6.0f);
    const Tensor wrong(Shape{3});
    CHECK_THROWS_WITH_AS(tape.bind(w, &wrong, nullptr), doctest::Contains("expected (1, 3)"),
                         hg::Error);
  }

  TEST_CASE("clear keeps buffers: the same step reuses the same memory") {
    Tape tape;
    Parameter w("w", Tensor(Shape{4, 4}, 0.5f));
    const float* first = nullptr;
    for (int step = 0; step < 3; ++step) {
      tape.clear();
      Var x = tape.input(Tensor(Shape{2, 4}, 1.0f));
      Var y = sigmoid(matmul(x, tape.param(w)));
      if (step == 0) first = y.value().data();
      CHECK(y.value().data() == first);
      tape.backward(mean(y));
    }
  }

  TEST_CASE("bad use fails loudly") {
    Tape t1, t2;
    Var a = t1.input(Tensor(Shape{2, 2}, 1.0f));
    Var b = t2.input(Tensor(Shape{2, 2}, 1.0f));
    CHECK_THROWS_WITH_AS(a + b, doctest::Contains("different tapes"), hg::Error);
    CHECK_THROWS_WITH_AS(t1.backward(a), doctest::Contains("(2, 2)"), hg::Error);
    CHECK_THROWS_WITH_AS(a.item(), doctest::Contains("one number"), hg::Error);
    CHECK_THROWS_AS(t2.backward(a), hg::Error);
    t1.clear();
    CHECK_THROWS_WITH_AS(a.value(), doctest::Contains("cleared"), hg::Error);
    CHECK_THROWS_AS(Var().value(), hg::Error);
  }
}
