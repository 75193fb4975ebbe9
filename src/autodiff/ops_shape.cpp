// Shape ops: reshape, concat_cols, slice_cols. They move numbers, never
// combine them, so each backward copies (adds) gradient slices back.
#include <algorithm>

#include "hourglass/autodiff/ops.hpp"
#include "hourglass/kernels/elementwise.hpp"

namespace hg {

// ---- reshape: same numbers in the same order, so dx += dy element by element --

Var reshape(Var x, Shape shape) {
  Tape& tape = x.tape();
  check(shape.numel() == x.value().size(), "reshape: x is ", x.shape(), " (",
        x.value().size(), " numbers), asked for ", shape, " (", shape.numel(),
        " numbers; expected the same count)");
  Node& y = tape.push("reshape", shape, {x});
  const Tensor& xv = tape.node(x.index()).val();
  std::copy(xv.begin(), xv.end(), y.value.begin());
  y.backward = [](Tape& tape, Node& y) {
    if (float* dx = tape.grad_of(y, 0))
      kernels::axpy(1.0f, y.grad().data(), dx, y.value.size());
  };
  return tape.last();
}

// ---- concat_cols: y = [a | b], row by row; da, db: dy's two blocks ---------------

Var concat_cols(Var a, Var b) {
  Tape& tape = same_tape("concat_cols", a, b);
  const Shape sa = a.shape(), sb = b.shape();
  check(sa.rows() == sb.rows(), "concat_cols: a is ", sa, ", b is ", sb,
        " (expected the same number of rows)");
  const int rows = sa.rows(), na = sa.cols(), nb = sb.cols();
  Node& y = tape.push("concat_cols", Shape{rows, na + nb}, {a, b});
  const float* av = tape.node(a.index()).val().data();
  const float* bv = tape.node(b.index()).val().data();
  for (int r = 0; r < rows; ++r) {
    float* yr = y.value.data() + static_cast<std::size_t>(r) * (na + nb);
    std::copy_n(av + static_cast<std::size_t>(r) * na, na, yr);
    std::copy_n(bv + static_cast<std::size_t>(r) * nb, nb, yr + na);
  }
  y.backward = [](Tape& tape, Node& y) {
    const int rows = y.value.rows(), n = y.value.cols();
    const int na = tape.node(y.in[0]).val().cols(), nb = n - na;
    const float* dy = y.grad().data();
    float* da = tape.grad_of(y, 0);
    float* db = tape.grad_of(y, 1);
    for (int r = 0; r < rows; ++r) {
      const float* dyr = dy + static_cast<std::size_t>(r) * n;
      if (da) kernels::axpy(1.0f, dyr, da + static_cast<std::size_t>(r) * na, na);
      if (db) kernels::axpy(1.0f, dyr + na, db + static_cast<std::size_t>(r) * nb, nb);
    }
  };
  return tape.last();
}

// ---- slice_cols: y = x[:, begin:end]; dx[:, begin:end] += dy ----------------------

namespace {
struct Slice {
  int begin;
};
}  // namespace

Var slice_cols(Var x, int begin, int end) {
  Tape& tape = x.tape();
  const Shape sx = x.shape();
  check(0 <= begin && begin <= end && end <= sx.cols(), "slice_cols: columns [",
        begin, ", ", end, ") of x ", sx, " (expected 0 <= begin <= end <= ",
        sx.cols(), ")");
  const int rows = sx.rows(), n = sx.cols(), m = end - begin;
  Node& y = tape.push("slice_cols", Shape{rows, m}, {x});
  y.set_attrs(Slice{begin});
  const float* xv = tape.node(x.index()).val().data();
  for (int r = 0; r < rows; ++r)
    std::copy_n(xv + static_cast<std::size_t>(r) * n + begin, m,
                y.value.data() + static_cast<std::size_t>(r) * m);
  y.backward = [](Tape& tape, Node& y) {
    float* dx = tape.grad_of(y, 0);
    if (!dx) return;
    const int rows = y.value.rows(), m = y.value.cols();
    const int n = tape.node(y.in[0]).val().cols();
    const int begin = y.attrs<Slice>().begin;
    for (int r = 0; r < rows; ++r)
      kernels::axpy(1.0f, y.grad().data() + static_cast<std::size_t>(r) * m,
                    dx + static_cast<std::size_t>(r) * n + begin, m);
  };
  return tape.last();
}

}  // namespace hg
