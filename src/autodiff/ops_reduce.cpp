// Reductions: sum and mean of everything, of each column (over rows), of
// each row (over columns). A mean is a sum scaled by 1/count, so each pair
// shares one forward and one backward with its scale alpha (1 or 1/count).
//
// Backward of y = alpha · Σ x: every x that went into a sum gets alpha · dy
// of that sum, i.e. dy is broadcast back over what was summed.
#include "hourglass/autodiff/ops.hpp"
#include "hourglass/kernels/elementwise.hpp"
#include "hourglass/kernels/reduce.hpp"

namespace hg {

namespace {
struct Scale {
  float alpha;  // 1 for a sum, 1/count for a mean
};
}  // namespace

// ---- everything: (rows, cols) → (1, 1) ---------------------------------------

static Var sum_all(const char* op, Var x, bool is_mean) {
  Tape& tape = x.tape();
  Node& y = tape.push(op, Shape{1, 1}, {x});
  const Tensor& xv = tape.node(x.index()).val();
  const float alpha =
      is_mean ? 1.0f / static_cast<float>(xv.size() ? xv.size() : 1) : 1.0f;
  y.set_attrs(Scale{alpha});
  y.value[0] = static_cast<float>(alpha * kernels::sum(xv.data(), xv.size()));
  y.backward = [](Tape& tape, Node& y) {  // dx += alpha · dy, in every entry
    if (float* dx = tape.grad_of(y, 0))
      kernels::add_scalar(y.attrs<Scale>().alpha * y.grad()[0], dx,
                          tape.node(y.in[0]).val().size());
  };
  return tape.last();
}

Var sum(Var x) { return sum_all("sum", x, false); }
Var mean(Var x) {
  check(x.value().size() > 0, "mean: x ", x.shape(), " is empty");
  return sum_all("mean", x, true);
}

// ---- over rows: (rows, cols) → (1, cols) ---------------------------------------

static Var over_rows(const char* op, Var x, bool is_mean) {
  Tape& tape = x.tape();
  const int rows = x.shape().rows(), cols = x.shape().cols();
  check(!is_mean || rows > 0, op, ": x ", x.shape(), " has no rows");
  Node& y = tape.push(op, Shape{1, cols}, {x});
  const float alpha = is_mean ? 1.0f / static_cast<float>(rows) : 1.0f;
  y.set_attrs(Scale{alpha});
  y.value.zero();
  kernels::sum_rows_acc(tape.node(x.index()).val().data(), y.value.data(), rows,
                        cols, alpha);
  y.backward = [](Tape& tape, Node& y) {  // dx[i, j] += alpha · dy[j]
    if (float* dx = tape.grad_of(y, 0)) {
      const Tensor& x = tape.node(y.in[0]).val();
      kernels::broadcast_row_acc(y.grad().data(), y.attrs<Scale>().alpha, dx,
                                 x.rows(), x.cols());
    }
  };
  return tape.last();
}

Var sum_rows(Var x) { return over_rows("sum_rows", x, false); }
Var mean_rows(Var x) { return over_rows("mean_rows", x, true); }

// ---- over columns: (rows, cols) → (rows, 1) ------------------------------------

static Var over_cols(const char* op, Var x, bool is_mean) {
  Tape& tape = x.tape();
  const int rows = x.shape().rows(), cols = x.shape().cols();
  check(!is_mean || cols > 0, op, ": x ", x.shape(), " has no columns");
  Node& y = tape.push(op, Shape{rows, 1}, {x});
  const float alpha = is_mean ? 1.0f / static_cast<float>(cols) : 1.0f;
  y.set_attrs(Scale{alpha});
  y.value.zero();
  kernels::sum_cols_acc(tape.node(x.index()).val().data(), y.value.data(), rows,
                        cols, alpha);
  y.backward = [](Tape& tape, Node& y) {  // dx[i, j] += alpha · dy[i]
    if (float* dx = tape.grad_of(y, 0)) {
      const Tensor& x = tape.node(y.in[0]).val();
      kernels::broadcast_col_acc(y.grad().data(), y.attrs<Scale>().alpha, dx,
                                 x.rows(), x.cols());
    }
  };
  return tape.last();
}

Var sum_cols(Var x) { return over_cols("sum_cols", x, false); }
Var mean_cols(Var x) { return over_cols("mean_cols", x, true); }

}  // namespace hg
