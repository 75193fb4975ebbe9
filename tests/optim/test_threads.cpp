// The optimizers cut each parameter into one part per thread
// (Optimizer::for_each_part). Every element's update is independent of the
// others, so the result must be the same, bit for bit, on any number of
// threads: here 1, 2 and 3, with parameters of awkward sizes (a part of a
// 5-element one may be empty, 70001 does not divide by 2 or 3) and enough
// elements in all to pass every optimizer's threshold for threading.
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "hourglass/kernels/thread_pool.hpp"
#include "hourglass/optim/adam.hpp"
#include "hourglass/optim/sgd.hpp"
#include "hourglass/rng.hpp"

namespace {

using hg::Parameter;
using hg::Shape;
using hg::Tensor;

struct Model {
  std::vector<std::unique_ptr<Parameter>> owned;
  hg::ParameterList list;
  explicit Model(std::uint64_t seed) {
    hg::Rng rng(seed);
    for (int n : {5, 40000, 70001}) {
      Tensor w(Shape{n});
      rng.fill_uniform(w, -1.0f, 1.0f);
      // Not "p" + std::to_string(n): GCC 12 warns (-Wrestrict) on that.
      std::string name = "p";
      name += std::to_string(n);
      owned.push_back(std::make_unique<Parameter>(name, w));
      list.push_back(owned.back().get());
    }
  }
  void set_grads(std::uint64_t seed) {
    hg::Rng rng(seed);
    for (Parameter* p : list) rng.fill_uniform(p->grad, -1.0f, 1.0f);
  }
};

// Values after three steps (each with a zero_grad and fresh gradients) of
// the optimizer that make() builds, on `threads` threads.
template <class Make>
std::vector<Tensor> after_steps(int threads, const Make& make) {
  hg::kernels::set_num_threads(threads);
  Model m(7);
  auto opt = make(m.list);
  for (int step = 0; step < 3; ++step) {
    m.set_grads(100 + step);
    opt.zero_grad();
    int not_zeroed = 0;  // zero_grad must have cleared every element
    for (Parameter* p : m.list)
      for (std::size_t k = 0; k < p->grad.size(); ++k) not_zeroed += p->grad[k] != 0.0f;
    REQUIRE(not_zeroed == 0);
    m.set_grads(200 + step);
    opt.step();
  }
  hg::kernels::set_num_threads(1);
  std::vector<Tensor> out;
  for (Parameter* p : m.list) out.push_back(p->value);
  return out;
}

template <class Make>
void check_same_on_any_threads(const Make& make) {
  const std::vector<Tensor> one = after_steps(1, make);
  for (int threads : {2, 3}) {
    const std::vector<Tensor> many = after_steps(threads, make);
    for (std::size_t i = 0; i < one.size(); ++i) {
      INFO("threads = ", threads, ", parameter ", i);
      int differ = 0;
      for (std::size_t k = 0; k < one[i].size(); ++k) differ += one[i][k] != many[i][k];
      CHECK(differ == 0);
    }
  }
}

}  // namespace

TEST_SUITE("optimizers on threads") {
  TEST_CASE("Adam gives the same weights on 1, 2 and 3 threads") {
    check_same_on_any_threads(
        [](const hg::ParameterList& ps) { return hg::Adam(ps, {.lr = 1e-2f}); });
  }
  TEST_CASE("AdamW gives the same weights on 1, 2 and 3 threads") {
    check_same_on_any_threads([](const hg::ParameterList& ps) {
      return hg::Adam(ps, {.lr = 1e-2f, .weight_decay = 0.1f, .decoupled = true});
    });
  }
  TEST_CASE("SGD with momentum gives the same weights on 1, 2 and 3 threads") {
    check_same_on_any_threads([](const hg::ParameterList& ps) {
      return hg::SGD(ps, {.lr = 1e-2f, .momentum = 0.9f, .nesterov = true});
    });
  }
}
