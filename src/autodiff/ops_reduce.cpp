// Reductions: sum and mean of everything, of each column (over rows), of
// each row (over columns). A mean is a sum scaled by 1/count, so each pair
// shares one forward and one backward with the scale kept in k[0].
//
// Backward of y = alpha · Σ x: every x that went into a sum gets alpha · dy
// of that sum, i.e. dy is broadcast back over what was summed.
#include "hourglass/autodiff/ops.hpp"
#include "hourglass/kernels/elementwise.hpp"
#include "hourglass/kernels/reduce.hpp"

namespace hg {

// ---- everything: (rows, cols) → (1, 1) ---------------------------------------

static void sum_all_backward(Tape& tape, Node& y) {
  if (float* dx = tape.grad_of(y, 0))
    kernels::add_scalar(y.k[0] * y.grad()[0], dx,
                        tape.node(y.in[0]).val().size());
}

static Var sum_all(const char* op, Var x, bool is_mean) {
  Tape& tape = x.tape();
  Node& y = tape.push(op, Shape{1, 1}, sum_all_backward, {x});
  const Tensor& xv = tape.node(x.index()).val();
  const float alpha =
      is_mean ? 1.0f / static_cast<float>(xv.size() ? xv.size() : 1) : 1.0f;
  y.k[0] = alpha;
  y.value[0] = static_cast<float>(alpha * kernels::sum(xv.data(), xv.size()));
  return tape.last();
}

Var sum(Var x) { return sum_all("sum", x, false); }
Var mean(Var x) {
  check(x.value().size() > 0, "mean: x ", x.shape(), " is empty");
  return sum_all("mean", x, true);
}

// ---- over rows: (rows, cols) → (1, cols) ---------------------------------------

static void sum_rows_backward(Tape& tape, Node& y) {
  if (float* dx = tape.grad_of(y, 0)) {
    const Tensor& x = tape.node(y.in[0]).val();
    kernels::broadcast_row_acc(y.grad().data(), y.k[0], dx, x.rows(), x.cols());
  }
}

static Var over_rows(const char* op, Var x, bool is_mean) {
  Tape& tape = x.tape();
  const int rows = x.shape().rows(), cols = x.shape().cols();
  check(!is_mean || rows > 0, op, ": x ", x.shape(), " has no rows");
  Node& y = tape.push(op, Shape{1, cols}, sum_rows_backward, {x});
  y.k[0] = is_mean ? 1.0f / static_cast<float>(rows) : 1.0f;
  y.value.zero();
  kernels::sum_rows_acc(tape.node(x.index()).val().data(), y.value.data(), rows,
                        cols, y.k[0]);
  return tape.last();
}

Var sum_rows(Var x) { return over_rows("sum_rows", x, false); }
Var mean_rows(Var x) { return over_rows("mean_rows", x, true); }

// ---- over columns: (rows, cols) → (rows, 1) ------------------------------------

static void sum_cols_backward(Tape& tape, Node& y) {
  if (float* dx = tape.grad_of(y, 0)) {
    const Tensor& x = tape.node(y.in[0]).val();
    kernels::broadcast_col_acc(y.grad().data(), y.k[0], dx, x.rows(), x.cols());
  }
}

static Var over_cols(const char* op, Var x, bool is_mean) {
  Tape& tape = x.tape();
  const int rows = x.shape().rows(), cols = x.shape().cols();
  check(!is_mean || cols > 0, op, ": x ", x.shape(), " has no columns");
  Node& y = tape.push(op, Shape{rows, 1}, sum_cols_backward, {x});
  y.k[0] = is_mean ? 1.0f / static_cast<float>(cols) : 1.0f;
  y.value.zero();
  kernels::sum_cols_acc(tape.node(x.index()).val().data(), y.value.data(), rows,
                        cols, y.k[0]);
  return tape.last();
}

Var sum_cols(Var x) { return over_cols("sum_cols", x, false); }
Var mean_cols(Var x) { return over_cols("mean_cols", x, true); }

}  // namespace hg
