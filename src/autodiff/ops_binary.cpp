// add, sub, mul, div on two Vars (same shape, or b a row broadcast over a's
// rows), and the Var-with-float forms, all through y = alpha·x + beta.
//
// With a row b (the bias case), b touched every row, so its gradient is the
// sum over rows of what each row sent back: db[j] += Σ_i dy[i, j] · ∂y/∂b.
#include "hourglass/autodiff/ops.hpp"
#include "hourglass/kernels/elementwise.hpp"
#include "hourglass/kernels/reduce.hpp"

namespace hg {

namespace {
// false: same shape. true: b is a row vector of a's column count. Else throws.
bool row_broadcast(const char* op, const Shape& a, const Shape& b) {
  if (a == b) return false;
  const bool row = (b.rank() == 1 || (b.rank() == 2 && b.rows() == 1)) &&
                   static_cast<int>(b.numel()) == a.cols();
  check(row, op, ": shapes differ: a is ", a, ", b is ", b,
        " (expected the same shape, or b a row (1, ", a.cols(),
        ") applied to every row of a)");
  return true;
}

// What a binary node remembers: is b one row, added to every row of a?
struct Broadcast {
  bool row;
};

// The common prologue: check, push, and hand back the three value arrays.
struct Binary {
  Tape& tape;
  Node& y;
  const float* a;
  const float* b;
  bool row;
  int rows, cols;
};
Binary push_binary(const char* op, Var a, Var b) {
  Tape& tape = same_tape(op, a, b);
  const bool row = row_broadcast(op, a.shape(), b.shape());
  Node& y = tape.push(op, a.shape(), {a, b});
  y.set_attrs(Broadcast{row});
  return {tape, y, tape.node(a.index()).val().data(),
          tape.node(b.index()).val().data(), row, a.shape().rows(),
          a.shape().cols()};
}
bool is_row(const Node& y) { return y.attrs<Broadcast>().row; }
}  // namespace

// ---- add: y = a + b;  da += dy,  db += dy ------------------------------------

Var add(Var a, Var b) {
  Binary p = push_binary("add", a, b);
  if (p.row) kernels::add_row(p.a, p.b, p.y.value.data(), p.rows, p.cols);
  else kernels::add(p.a, p.b, p.y.value.data(), p.y.value.size());
  p.y.backward = [](Tape& tape, Node& y) {
    const float* dy = y.grad().data();
    const std::size_t n = y.value.size();
    if (float* da = tape.grad_of(y, 0)) kernels::axpy(1.0f, dy, da, n);
    if (float* db = tape.grad_of(y, 1)) {
      if (is_row(y)) kernels::sum_rows_acc(dy, db, y.value.rows(), y.value.cols());
      else kernels::axpy(1.0f, dy, db, n);
    }
  };
  return p.tape.last();
}

// ---- sub: y = a − b;  da += dy,  db −= dy ------------------------------------

Var sub(Var a, Var b) {
  Binary p = push_binary("sub", a, b);
  if (p.row) kernels::sub_row(p.a, p.b, p.y.value.data(), p.rows, p.cols);
  else kernels::sub(p.a, p.b, p.y.value.data(), p.y.value.size());
  p.y.backward = [](Tape& tape, Node& y) {
    const float* dy = y.grad().data();
    const std::size_t n = y.value.size();
    if (float* da = tape.grad_of(y, 0)) kernels::axpy(1.0f, dy, da, n);
    if (float* db = tape.grad_of(y, 1)) {
      if (is_row(y))
        kernels::sum_rows_acc(dy, db, y.value.rows(), y.value.cols(), -1.0f);
      else kernels::axpy(-1.0f, dy, db, n);
    }
  };
  return p.tape.last();
}

// ---- mul: y = a ⊙ b;  da += dy ⊙ b,  db += dy ⊙ a ------------------------------

Var mul(Var a, Var b) {
  Binary p = push_binary("mul", a, b);
  if (p.row) kernels::mul_row(p.a, p.b, p.y.value.data(), p.rows, p.cols);
  else kernels::mul(p.a, p.b, p.y.value.data(), p.y.value.size());
  p.y.backward = [](Tape& tape, Node& y) {
    const float* a = tape.node(y.in[0]).val().data();
    const float* b = tape.node(y.in[1]).val().data();
    const float* dy = y.grad().data();
    const int rows = y.value.rows(), cols = y.value.cols();
    const std::size_t n = y.value.size();
    if (float* da = tape.grad_of(y, 0)) {
      if (is_row(y)) kernels::mul_row_acc(dy, b, da, rows, cols);
      else kernels::mul_acc(dy, b, da, n);
    }
    if (float* db = tape.grad_of(y, 1)) {
      if (is_row(y)) kernels::mul_sum_rows_acc(dy, a, db, rows, cols);
      else kernels::mul_acc(dy, a, db, n);
    }
  };
  return p.tape.last();
}

// ---- div: y = a / b;  da += dy / b,  db −= dy · y / b --------------------------

Var div(Var a, Var b) {
  // A row divisor is rare (normalising by a per-feature scale): write it as
  // a · b⁻¹ and let mul's broadcasting handle it.
  if (!(a.shape() == b.shape())) {
    row_broadcast("div", a.shape(), b.shape());
    return mul(a, pow(b, -1.0f));
  }
  Binary p = push_binary("div", a, b);
  kernels::div(p.a, p.b, p.y.value.data(), p.y.value.size());
  p.y.backward = [](Tape& tape, Node& y) {
    const float* b = tape.node(y.in[1]).val().data();
    const float* dy = y.grad().data();
    const std::size_t n = y.value.size();
    if (float* da = tape.grad_of(y, 0)) kernels::div_acc(dy, b, da, n);
    if (float* db = tape.grad_of(y, 1))
      kernels::div_backward_b(dy, y.value.data(), b, db, n);
  };
  return p.tape.last();
}

// ---- affine: y = alpha·x + beta;  dx += alpha·dy ---------------------------------

namespace {
struct Affine {
  float alpha;
};
}  // namespace

Var affine(Var x, float alpha, float beta) {
  Tape& tape = x.tape();
  Node& y = tape.push("affine", x.shape(), {x});
  y.set_attrs(Affine{alpha});
  kernels::affine_forward(tape.node(x.index()).val().data(), alpha, beta,
                          y.value.data(), y.value.size());
  y.backward = [](Tape& tape, Node& y) {
    if (float* dx = tape.grad_of(y, 0))
      kernels::axpy(y.attrs<Affine>().alpha, y.grad().data(), dx, y.value.size());
  };
  return tape.last();
}

Var add(Var a, float c) { return affine(a, 1.0f, c); }
Var add(float c, Var a) { return affine(a, 1.0f, c); }
Var sub(Var a, float c) { return affine(a, 1.0f, -c); }
Var sub(float c, Var a) { return affine(a, -1.0f, c); }
Var mul(Var a, float c) { return affine(a, c, 0.0f); }
Var mul(float c, Var a) { return affine(a, c, 0.0f); }
Var div(Var a, float c) {
  check(c != 0.0f, "div: dividing ", a.shape(), " by the constant 0");
  return affine(a, 1.0f / c, 0.0f);
}
Var div(float c, Var a) { return affine(pow(a, -1.0f), c, 0.0f); }

}  // namespace hg
