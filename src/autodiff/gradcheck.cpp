// gradcheck: the tape's gradients against central differences, element by
// element, reporting the worst element by its share of the tolerance.
#include "hourglass/autodiff/gradcheck.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace hg {

namespace {
// f(inputs) on a cleared tape; the number it returns, in double.
double evaluate(const GradcheckFn& f, Tape& tape,
                std::vector<Parameter>& params) {
  tape.clear();
  std::vector<Var> vars;
  vars.reserve(params.size());
  for (Parameter& p : params) vars.push_back(tape.param(p));
  return f(vars).item();
}
}  // namespace

GradcheckResult gradcheck(const GradcheckFn& f, std::vector<Tensor> inputs,
                          const GradcheckOptions& options) {
  std::vector<Parameter> params;
  params.reserve(inputs.size());
  for (std::size_t i = 0; i < inputs.size(); ++i)
    params.emplace_back("input" + std::to_string(i), std::move(inputs[i]));

  // The analytic gradients, from one backward pass.
  Tape tape;
  {
    std::vector<Var> vars;
    for (Parameter& p : params) vars.push_back(tape.param(p));
    Var loss = f(vars);
    check(loss.value().size() == 1, "gradcheck: f returned ", loss.shape(),
          ", expected exactly one number");
    tape.backward(loss);
  }

  GradcheckResult result;
  double worst_score = -1;  // |a − n| / (atol + rtol·max(|a|, |n|)); > 1 fails
  for (std::size_t k = 0; k < params.size(); ++k) {
    Parameter& p = params[k];
    for (std::size_t i = 0; i < p.value.size(); ++i) {
      const float x0 = p.value[i];
      const float h = options.eps * std::max(1.0f, std::fabs(x0));
      p.value[i] = x0 + h;
      const float xp = p.value[i];  // the step actually taken, after rounding
      const double fp = evaluate(f, tape, params);
      p.value[i] = x0 - h;
      const float xm = p.value[i];
      const double fm = evaluate(f, tape, params);
      p.value[i] = x0;
      const double numeric = (fp - fm) / (static_cast<double>(xp) - xm);
      const double analytic = p.grad[i];
      const double diff = std::fabs(analytic - numeric);
      const double big = std::max(std::fabs(analytic), std::fabs(numeric));
      const double score = diff / (options.atol + options.rtol * big);
      if (score > worst_score) {
        worst_score = score;
        result.worst_rel_error = big > 0 ? diff / big : 0.0;
        result.input = static_cast<int>(k);
        result.index = i;
        result.analytic = analytic;
        result.numeric = numeric;
      }
    }
  }
  result.ok = worst_score <= 1.0;
  std::ostringstream msg;
  if (result.input < 0) {
    msg << "gradcheck: no elements to check";
  } else {
    const Shape& s = params[static_cast<std::size_t>(result.input)].value.shape();
    msg << "gradcheck " << (result.ok ? "passed" : "FAILED") << ": worst at input "
        << result.input << " " << s << " element " << result.index
        << ": analytic " << result.analytic << ", numeric " << result.numeric
        << ", relative error " << result.worst_rel_error << " (tolerance "
        << options.atol << " + " << options.rtol << "·|g|)";
  }
  result.message = msg.str();
  return result;
}

}  // namespace hg
