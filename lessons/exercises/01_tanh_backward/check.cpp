// Exercise 01's checker: the learner's tanh_backward as the backward of an
// op on the tape, compared with the library's tanh and with central
// differences (gradcheck).
#include <cmath>
#include <cstddef>

#include "../exercise.hpp"
#include "hourglass/hourglass.hpp"

// Written in exercise.cpp (or solution.cpp).
void tanh_backward(const float* y, const float* dy, float* dx, std::size_t n);

namespace {

// The op, wired as the library wires its own: push a node, compute the
// forward into it, set the backward step right under it.
hg::Var my_tanh(hg::Var x) {
  hg::Tape& tape = x.tape();
  hg::Node& y = tape.push("my_tanh", x.shape(), {x});
  const hg::Tensor& in = tape.node(x.index()).val();
  for (std::size_t i = 0; i < in.size(); ++i) y.value[i] = std::tanh(in[i]);
  y.backward = [](hg::Tape& tape, hg::Node& y) {
    if (float* dx = tape.grad_of(y, 0))
      tanh_backward(y.val().data(), y.grad().data(), dx, y.val().size());
  };
  return tape.last();
}

hg::Tensor uniform(hg::Shape shape, float lo, float hi, hg::Rng& rng) {
  hg::Tensor t(shape);
  for (float& v : t) v = rng.uniform(lo, hi);
  return t;
}

// loss = Σ tanh(x)·w + Σ x·c: x feeds two nodes, so its gradient has two
// shares, and dy = w is not all ones.
hg::Tensor gradient(hg::Var (*tanh_op)(hg::Var), const hg::Tensor& x0, const hg::Tensor& w0,
                    const hg::Tensor& c0) {
  hg::Parameter px("x", x0);
  hg::Tape tape;
  hg::Var x = tape.param(px), w = tape.input(w0), c = tape.input(c0);
  // x·c is recorded after tanh, so backward reaches it first: a tanh
  // backward that writes dx with = instead of += would erase its share.
  hg::Var through_tanh = hg::sum(tanh_op(x) * w);
  hg::Var straight = hg::sum(x * c);
  hg::Var loss = through_tanh + straight;
  tape.backward(loss);
  return px.grad;
}
hg::Var library_tanh(hg::Var x) { return hg::tanh(x); }

}  // namespace

int main() {
  return exercise::run("01_tanh_backward", "the backward of tanh", [](exercise::Checker& check) {
    hg::Rng rng(7);
    const hg::Tensor x = uniform({3, 7}, -2.5f, 2.5f, rng), w = uniform({3, 7}, -1, 1, rng),
                     c = uniform({3, 7}, -1, 1, rng);
    const hg::Tensor got = gradient(my_tanh, x, w, c), want = gradient(library_tanh, x, w, c);
    check.compare("dloss/dx of Σ tanh(x)·w + Σ x·c, against the library's tanh", "dx",
                  got.data(), want.data(), got.size());
    const hg::GradcheckResult g = hg::gradcheck(
        [](const std::vector<hg::Var>& in) { return hg::sum(my_tanh(in[0]) * in[1]); },
        {uniform({2, 5}, -2, 2, rng), uniform({2, 5}, -1, 1, rng)});
    check.expect(g.ok, "gradcheck: against central differences", g.message);
  });
}
