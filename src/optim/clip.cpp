// clip_grad_norm: one pass for ‖g‖², one pass to scale (see clip.hpp).
#include "hourglass/optim/clip.hpp"

#include <cmath>

namespace hg {

float clip_grad_norm(ParameterList& params, float max_norm) {
  check(std::isfinite(max_norm) && max_norm > 0.0f,
        "clip_grad_norm: max_norm must be finite and > 0, got ", max_norm);
  // ‖g‖² summed in double: millions of squares in float lose the small ones.
  double sq = 0.0;
  for (const Parameter* p : params) {
    check(p != nullptr, "clip_grad_norm: the parameter list holds a null pointer");
    check(p->grad.size() == p->value.size(), "clip_grad_norm: parameter \"",
          p->name, "\" has value ", p->value.shape(), " but grad ",
          p->grad.shape(), "; expected the same shape");
    for (float g : p->grad) sq += double(g) * double(g);
  }
  const double norm = std::sqrt(sq);
  check(std::isfinite(norm), "clip_grad_norm: the gradient norm is ", norm,
        " (a gradient holds NaN or Inf); expected finite gradients");
  if (norm > max_norm) {
    const float s = float(max_norm / norm);  // s < 1: shrink, same direction
    for (Parameter* p : params)
      for (float& g : p->grad) g *= s;
  }
  return float(norm);
}

}  // namespace hg
