// Exercise 03's checker: the learner's momentum_step against hg::SGD with
// the same learning rate and momentum, step by step, on the same gradients.
#include <string>
#include <vector>

#include "../exercise.hpp"
#include "hourglass/hourglass.hpp"

// Written in exercise.cpp (or solution.cpp).
void momentum_step(float* w, const float* g, float* v, std::size_t n, float lr, float mu);

int main() {
  return exercise::run("03_momentum_step", "one step of SGD with momentum",
                       [](exercise::Checker& check) {
    constexpr float lr = 0.1f, mu = 0.9f;
    // The worked example of exercise.cpp first.
    float w1 = 1.0f, v1 = 0.5f;
    const float g1 = 0.2f, w_want = 0.935f, v_want = 0.65f;
    momentum_step(&w1, &g1, &v1, 1, lr, mu);
    check.compare("the worked example: v", "v", &v1, &v_want, 1);
    check.compare("the worked example: w", "w", &w1, &w_want, 1);

    // Then three steps on 10 weights, beside the library's SGD.
    hg::Rng rng(3);
    hg::Parameter p("w", hg::Tensor({10}));
    for (float& x : p.value) x = rng.uniform(-1, 1);
    std::vector<float> w(p.value.begin(), p.value.end()), v(w.size(), 0.0f);
    hg::SGD sgd({&p}, {.lr = lr, .momentum = mu});
    for (int step = 1; step <= 3; ++step) {
      for (float& x : p.grad) x = rng.uniform(-1, 1);
      momentum_step(w.data(), p.grad.data(), v.data(), w.size(), lr, mu);
      sgd.step();
      const hg::Tensor& v_sgd = *sgd.state().tensors[0].second;
      const std::string after = " after step " + std::to_string(step) + ", against hg::SGD";
      check.compare("velocity" + after, "v", v.data(), v_sgd.data(), v.size());
      check.compare("weights" + after, "w", w.data(), p.value.data(), w.size());
    }
  });
}
