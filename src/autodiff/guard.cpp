// check_finite: scans tape values and gradients for NaN/Inf (see guard.hpp).
#include "hourglass/autodiff/guard.hpp"

#include <cmath>
#include <cstddef>

namespace hg {

namespace {

// Index of the first NaN or ±Inf in t, or -1 if every number is finite.
long first_non_finite(const Tensor& t) {
  const float* p = t.data();
  for (std::size_t i = 0; i < t.size(); ++i)
    if (!std::isfinite(p[i])) return long(i);
  return -1;
}

const char* describe(const Node& n) {
  return n.param ? n.param->name.c_str() : n.op;
}

}  // namespace

void check_finite(const Tape& tape, Var loss, long step) {
  check(&loss.tape() == &tape,
        "check_finite: the loss belongs to another tape");
  const int last = loss.index();
  // Values, forward: the first bad node is where the numbers went wrong;
  // every later one only inherited it.
  for (int i = 0; i <= last; ++i) {
    const Node& n = tape.node(i);
    const long at = first_non_finite(n.val());
    if (at >= 0)
      fail("training step ", step, ": the value of node ", i, " (",
           n.param ? "parameter \"" : "op \"", describe(n), "\", shape ",
           n.val().shape(), ") holds ", n.val()[std::size_t(at)],
           " at element ", at,
           " (first non-finite value in forward order); expected finite "
           "numbers");
  }
  // Gradients, in the order backward made them (reverse): the first bad
  // one is the earliest sign, the rest are its descendants.
  for (int i = last; i >= 0; --i) {
    const Node& n = tape.node(i);
    if (!n.needs_grad) continue;
    const Tensor& g = n.grad();
    if (g.size() != n.val().size()) continue;  // backward has not run
    const long at = first_non_finite(g);
    if (at >= 0)
      fail("training step ", step, ": the gradient of node ", i, " (",
           n.param ? "parameter \"" : "output of op \"", describe(n),
           "\", shape ", g.shape(), ") holds ", g[std::size_t(at)],
           " at element ", at,
           " (first non-finite gradient in backward order); expected finite "
           "numbers (a smaller learning rate or clip_grad_norm may help)");
  }
}

void check_finite(const ParameterList& params, long step) {
  for (const Parameter* p : params) {
    check(p != nullptr, "check_finite: the parameter list holds a null pointer");
    for (const Tensor* t : {&p->value, &p->grad}) {
      const long at = first_non_finite(*t);
      if (at >= 0)
        fail("training step ", step, ": parameter \"", p->name, "\" ",
             t == &p->value ? "value" : "gradient", " (shape ", t->shape(),
             ") holds ", (*t)[std::size_t(at)], " at element ", at,
             "; expected finite numbers");
    }
  }
}

}  // namespace hg
