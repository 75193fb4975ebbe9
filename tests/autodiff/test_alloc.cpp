// A steady-state training step allocates nothing.
//
// This file replaces the global operator new/delete with versions that
// count, then runs the same forward + backward + update twice: the first
// step sizes every buffer, the second must reuse them all.
#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "hourglass/autodiff/ops.hpp"

namespace {
std::atomic<long> g_allocations{0};

void* counted_alloc(std::size_t n, std::size_t align) {
  ++g_allocations;
  // aligned_alloc wants the size to be a multiple of the alignment.
  const std::size_t size = (n + align - 1) / align * align;
  void* p = align > alignof(std::max_align_t) ? std::aligned_alloc(align, size ? size : align)
                                              : std::malloc(n ? n : 1);
  if (!p) throw std::bad_alloc();
  return p;
}
}  // namespace

void* operator new(std::size_t n) { return counted_alloc(n, alignof(std::max_align_t)); }
void* operator new[](std::size_t n) { return counted_alloc(n, alignof(std::max_align_t)); }
void* operator new(std::size_t n, std::align_val_t a) {
  return counted_alloc(n, static_cast<std::size_t>(a));
}
void* operator new[](std::size_t n, std::align_val_t a) {
  return counted_alloc(n, static_cast<std::size_t>(a));
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

TEST_SUITE("tape memory") {
  TEST_CASE("the counter sees allocations (so zero below means something)") {
    const long before = g_allocations;
    hg::Tensor t(hg::Shape{3, 3});
    CHECK(g_allocations > before);
  }

  TEST_CASE("a second identical training step makes zero heap allocations") {
    hg::Rng rng(1);
    hg::Parameter W1("W1", hg::Tensor(hg::Shape{16, 40}));
    hg::Parameter b1("b1", hg::Tensor(hg::Shape{1, 16}));
    hg::Parameter W2("W2", hg::Tensor(hg::Shape{40, 16}));
    hg::Parameter b2("b2", hg::Tensor(hg::Shape{40}));
    rng.fill_normal(W1.value, 0.0f, 0.1f);
    rng.fill_normal(W2.value, 0.0f, 0.1f);
    hg::Tensor batch(hg::Shape{32, 40});
    rng.fill_uniform(batch, 0.0f, 1.0f);
    hg::Parameter* params[] = {&W1, &b1, &W2, &b2};
    hg::Tape tape;

    float losses[3];
    long allocations[3];
    for (int step = 0; step < 3; ++step) {
      const long before = g_allocations;
      tape.clear();
      hg::Var x = tape.input(batch);
      hg::Var h = relu(linear(x, tape.param(W1), tape.param(b1)));
      h = dropout(h, 0.1f, rng);
      hg::Var xh = sigmoid(linear(h, tape.param(W2), tape.param(b2)));
      hg::Var loss = mean(sum_cols(square(xh - x))) + 1e-3f * sum(square(tape.param(W1)));
      tape.backward(loss);
      for (hg::Parameter* p : params) {  // plain SGD, then zero the gradient
        for (std::size_t i = 0; i < p->value.size(); ++i)
          p->value[i] -= 0.1f * p->grad[i];
        p->grad.zero();
      }
      losses[step] = loss.item();
      allocations[step] = g_allocations - before;
    }
    CHECK(allocations[0] > 0);
    CHECK(allocations[1] == 0);
    CHECK(allocations[2] == 0);
    CHECK(losses[2] < losses[0]);  // and it is really training
  }
}
