// matmul and linear: the ops that call GEMM.
//
// For C = op(A)·op(B) the chain rule gives
//   d op(A) = dC · op(B)ᵀ        d op(B) = op(A)ᵀ · dC
// and a transposed operand gets the transpose of that. Every gradient GEMM
// runs with beta = 1, so it adds into the gradient already there (+=).
#include "hourglass/autodiff/ops.hpp"
#include "hourglass/kernels/elementwise.hpp"
#include "hourglass/kernels/gemm.hpp"
#include "hourglass/kernels/reduce.hpp"

namespace hg {

namespace {
using kernels::Trans;

// C (M, N) = op(A) · op(B) + beta·C, sizes read from the stored shapes.
// A is stored (M, K) or, transposed, (K, M); likewise B.
void mm(Trans ta, const float* A, int a_rows, int a_cols, Trans tb,
        const float* B, int b_rows, int b_cols, float beta, float* C) {
  kernels::GemmArgs g;
  g.trans_a = ta;
  g.trans_b = tb;
  g.M = ta == Trans::No ? a_rows : a_cols;
  g.K = ta == Trans::No ? a_cols : a_rows;
  g.N = tb == Trans::No ? b_cols : b_rows;
  g.A = A;
  g.lda = a_cols;
  g.B = B;
  g.ldb = b_cols;
  g.beta = beta;
  g.C = C;
  g.ldc = g.N;
  if (g.M == 0 || g.N == 0) return;
  kernels::gemm(g);
}

Trans t_of(bool t) { return t ? Trans::Yes : Trans::No; }
Trans flip(Trans t) { return t == Trans::No ? Trans::Yes : Trans::No; }
}  // namespace

// ---- matmul --------------------------------------------------------------------

namespace {
struct Transposes {
  bool a, b;
};
}  // namespace

Var matmul(Var a, Var b, bool transpose_a, bool transpose_b) {
  Tape& tape = same_tape("matmul", a, b);
  const Shape sa = a.shape(), sb = b.shape();
  const int M = transpose_a ? sa.cols() : sa.rows();
  const int Ka = transpose_a ? sa.rows() : sa.cols();
  const int Kb = transpose_b ? sb.cols() : sb.rows();
  const int N = transpose_b ? sb.rows() : sb.cols();
  check(Ka == Kb, "matmul: inner sizes differ: a", transpose_a ? "ᵀ" : "",
        " is ", sa, ", b", transpose_b ? "ᵀ" : "", " is ", sb,
        " (expected a's ", transpose_a ? "rows" : "columns", " = b's ",
        transpose_b ? "columns" : "rows", ")");
  Node& c = tape.push("matmul", Shape{M, N}, {a, b});
  c.set_attrs(Transposes{transpose_a, transpose_b});
  const Tensor &A = tape.node(a.index()).val(), &B = tape.node(b.index()).val();
  mm(t_of(transpose_a), A.data(), A.rows(), A.cols(), t_of(transpose_b),
     B.data(), B.rows(), B.cols(), 0.0f, c.value.data());
  if (Ka == 0) c.value.zero();  // an empty sum is 0, whatever GEMM skipped

  c.backward = [](Tape& tape, Node& c) {
    const Tensor &A = tape.node(c.in[0]).val(), &B = tape.node(c.in[1]).val();
    const Trans ta = t_of(c.attrs<Transposes>().a), tb = t_of(c.attrs<Transposes>().b);
    const Tensor& dC = c.grad();
    const int M = dC.rows(), N = dC.cols();
    if (float* dA = tape.grad_of(c, 0)) {
      if (ta == Trans::No)  // dA (M, K) += dC (M, N) · op(B)ᵀ
        mm(Trans::No, dC.data(), M, N, flip(tb), B.data(), B.rows(), B.cols(), 1.0f, dA);
      else  // A stored (K, M): dA += op(B) (K, N) · dCᵀ (N, M)
        mm(tb, B.data(), B.rows(), B.cols(), Trans::Yes, dC.data(), M, N, 1.0f, dA);
    }
    if (float* dB = tape.grad_of(c, 1)) {
      if (tb == Trans::No)  // dB (K, N) += op(A)ᵀ (K, M) · dC (M, N)
        mm(flip(ta), A.data(), A.rows(), A.cols(), Trans::No, dC.data(), M, N, 1.0f, dB);
      else  // B stored (N, K): dB += dCᵀ (N, M) · op(A) (M, K)
        mm(Trans::Yes, dC.data(), M, N, ta, A.data(), A.rows(), A.cols(), 1.0f, dB);
    }
  };
  return tape.last();
}

// ---- linear ---------------------------------------------------------------------

Var linear(Var x, Var W, Var b) {
  Tape& tape = same_tape("linear", x, W);
  same_tape("linear", x, b);
  const Shape sx = x.shape(), sw = W.shape(), sb = b.shape();
  check(sw.rank() == 2, "linear: W must be (out, in), got ", sw);
  check(sx.cols() == sw.cols(), "linear: x is ", sx, ", W is ", sw,
        " (expected x's columns = W's columns, the input size)");
  const int B = sx.rows(), out = sw.rows(), in = sw.cols();
  const bool row = sb.rank() == 2 && sb.rows() == 1;
  check(static_cast<int>(sb.numel()) == out && (sb.rank() == 1 || row),
        "linear: b is ", sb, ", W is ", sw, " (expected b to be (1, ", out,
        ") or (", out, "))");
  Node& y = tape.push("linear", Shape{B, out}, {x, W, b});
  // Fused bias: start y as b in every row, then GEMM adds x·Wᵀ (beta = 1).
  kernels::broadcast_row(tape.node(b.index()).val().data(), y.value.data(), B,
                         out);
  mm(Trans::No, tape.node(x.index()).val().data(), B, in, Trans::Yes,
     tape.node(W.index()).val().data(), out, in, 1.0f, y.value.data());

  y.backward = [](Tape& tape, Node& y) {
    const Tensor& x = tape.node(y.in[0]).val();
    const Tensor& W = tape.node(y.in[1]).val();
    const Tensor& dy = y.grad();
    const int B = x.rows(), in = x.cols(), out = W.rows();
    if (float* dx = tape.grad_of(y, 0))  // dx (B, in) += dy (B, out) · W (out, in)
      mm(Trans::No, dy.data(), B, out, Trans::No, W.data(), out, in, 1.0f, dx);
    if (float* dW = tape.grad_of(y, 1))  // dW (out, in) += dyᵀ (out, B) · x (B, in)
      mm(Trans::Yes, dy.data(), B, out, Trans::No, x.data(), B, in, 1.0f, dW);
    if (float* db = tape.grad_of(y, 2))  // db (out) += Σ_rows dy
      kernels::sum_rows_acc(dy.data(), db, B, out);
  };
  return tape.last();
}

}  // namespace hg
