// LinearOutputShard and LinearInputShard: a model split over 2 and 3
// shards (ShardGroup) computes the whole model's loss and gradients, up to
// rounding order: a deep autoencoder and a VAE (with its noise), on odd
// sizes that do not split evenly. Bad input gets a clear error.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "hourglass/autodiff/ops.hpp"
#include "hourglass/parallel/shards.hpp"
#include "hourglass/error.hpp"
#include "hourglass/kernels/thread_pool.hpp"
#include "hourglass/parallel/linear_shards.hpp"
#include "hourglass/nn/losses.hpp"

namespace {

using hg::Linear;
using hg::Tensor;
using hg::Var;

constexpr int kIn = 21, kBatch = 9;

struct Threads {
  explicit Threads(int n) { hg::kernels::set_num_threads(n); }
  ~Threads() { hg::kernels::set_num_threads(1); }
};

// 21-10-5-10-21, ReLU inside, BCE on logits: the deep lesson model, small.
struct Deep {
  Linear e1, e2, d1, d2;
  explicit Deep(hg::Rng& rng)
      : e1(kIn, 10, rng), e2(10, 5, rng), d1(5, 10, rng), d2(10, kIn, rng) {}
  Var loss(Var x, hg::Rng&) {
    return bce_with_logits(d2(relu(d1(relu(e2(relu(e1(x))))))), x);
  }
};
struct DeepShards {
  hg::LinearOutputShard e1;
  hg::LinearInputShard e2;
  hg::LinearOutputShard d1, d2;
  DeepShards(const Deep& m, int t, int n)
      : e1(m.e1, t, n), e2(m.e2, t, n), d1(m.d1, t, n), d2(m.d2, t, n) {}
  Var loss(hg::Shard& s, Var x, hg::Rng&) {
    Var wide = gather_cols(s, relu(d1(s, relu(e2(s, relu(e1(s, x)))))));
    Var own = bce_with_logits(d2(s, wide), slice_cols(x, d2.lo(), d2.hi()));
    return sum_over_shards(s, own);
  }
};

// 21-12-(3, 3)-12-21 VAE: noise drawn from the generator it is given.
struct Vae {
  Linear hidden, to_mu, to_logvar, dec_hidden, dec_out;
  explicit Vae(hg::Rng& rng)
      : hidden(kIn, 12, rng),
        to_mu(12, 3, rng),
        to_logvar(12, 3, rng),
        dec_hidden(3, 12, rng),
        dec_out(12, kIn, rng) {}
  Var loss(Var x, hg::Rng& rng) {
    Var h = relu(hidden(x));
    Var mu = to_mu(h), logvar = to_logvar(h);
    Tensor eps(mu.shape());
    rng.fill_normal(eps, 0.0f, 1.0f);
    Var z = mu + exp(0.5f * logvar) * x.tape().input(eps);
    return bce_with_logits(dec_out(relu(dec_hidden(z))), x) +
           gaussian_kl(mu, logvar);
  }
};
struct VaeShards {
  hg::LinearOutputShard hidden;
  hg::LinearInputShard to_mu, to_logvar;
  hg::LinearOutputShard dec_hidden, dec_out;
  VaeShards(const Vae& m, int t, int n)
      : hidden(m.hidden, t, n),
        to_mu(m.to_mu, t, n),
        to_logvar(m.to_logvar, t, n),
        dec_hidden(m.dec_hidden, t, n),
        dec_out(m.dec_out, t, n) {}
  Var loss(hg::Shard& s, Var x, hg::Rng& rng) {
    Var h = relu(hidden(s, x));
    Var mu = to_mu(s, h), logvar = to_logvar(s, h);
    Tensor eps(mu.shape());
    rng.fill_normal(eps, 0.0f, 1.0f);  // the same numbers on every shard
    Var z = mu + exp(0.5f * logvar) * x.tape().input(eps);
    Var wide = gather_cols(s, relu(dec_hidden(s, z)));
    Var own = bce_with_logits(dec_out(s, wide),
                              slice_cols(x, dec_out.lo(), dec_out.hi()));
    return sum_over_shards(s, own) + gaussian_kl(mu, logvar);
  }
};

// |a − b| over the block [r0, r0 + a.rows) × [c0, c0 + a.cols) of b, worst
// entry.
double worst_diff(const Tensor& a, const Tensor& b, int r0, int c0) {
  double w = 0.0;
  for (int r = 0; r < a.rows(); ++r)
    for (int c = 0; c < a.cols(); ++c)
      w = std::max(w, double(std::fabs(a.at(r, c) - b.at(r0 + r, c0 + c))));
  return w;
}
void check_out(hg::LinearOutputShard& m, const Linear& whole) {
  CHECK(worst_diff(m.params()[0]->grad, whole.W().grad, m.lo(), 0) < 1e-5);
  CHECK(worst_diff(m.params()[1]->grad, whole.b().grad, 0, m.lo()) < 1e-5);
}
void check_in(hg::LinearInputShard& m, const Linear& whole) {
  hg::ParameterList p = m.params();
  CHECK(worst_diff(p[0]->grad, whole.W().grad, 0, m.lo()) < 1e-5);
  CHECK(p.size() == (m.lo() == 0 ? 2u : 1u));  // the bias lives on shard 0
  if (p.size() == 2) CHECK(worst_diff(p[1]->grad, whole.b().grad, 0, 0) < 1e-5);
}

// The whole model on one tape, then its shards on `count` threads, from
// the same generator state; returns the two losses after checking grads.
template <class Model, class Shards, class Check>
void compare(int count, const Check& check_grads) {
  hg::Rng rng(5);
  Model whole(rng);
  Tensor batch(hg::Shape{kBatch, kIn});
  rng.fill_uniform(batch, 0.0f, 1.0f);
  std::vector<std::unique_ptr<Shards>> shards;
  for (int t = 0; t < count; ++t)
    shards.push_back(std::make_unique<Shards>(whole, t, count));

  hg::Rng noise(11), same(11);
  hg::Tape tape;
  const float whole_loss = [&] {
    Var loss = whole.loss(tape.input(batch), noise);
    tape.backward(loss);
    return loss.item();
  }();

  Threads threads(count);
  hg::ShardGroup group(count);
  std::vector<float> losses(static_cast<std::size_t>(count));
  group.run(same, [&](hg::Shard& s) {
    const auto t = static_cast<std::size_t>(s.rank());
    s.tape.clear();
    Var loss = shards[t]->loss(s, s.tape.input(batch), s.rng);
    losses[t] = loss.item();
    s.tape.backward(loss);
  });
  for (float l : losses) {
    CHECK(l == losses[0]);  // every shard holds the same bits
    CHECK(l == doctest::Approx(whole_loss).epsilon(1e-5));
  }
  CHECK(noise.uniform() == same.uniform());  // the same numbers were drawn
  for (int t = 0; t < count; ++t) check_grads(*shards[std::size_t(t)], whole);
}

}  // namespace

TEST_CASE(
    "a deep autoencoder split over 2 and 3 shards has the whole one's loss and "
    "gradients") {
  for (int count : {2, 3}) {
    CAPTURE(count);
    compare<Deep, DeepShards>(count, [](DeepShards& s, const Deep& m) {
      check_out(s.e1, m.e1);
      check_in(s.e2, m.e2);
      check_out(s.d1, m.d1);
      check_out(s.d2, m.d2);
    });
  }
}

TEST_CASE(
    "a VAE split over 2 and 3 shards has the whole one's loss and gradients, "
    "noise included") {
  for (int count : {2, 3}) {
    CAPTURE(count);
    compare<Vae, VaeShards>(count, [](VaeShards& s, const Vae& m) {
      check_out(s.hidden, m.hidden);
      check_in(s.to_mu, m.to_mu);
      check_in(s.to_logvar, m.to_logvar);
      check_out(s.dec_hidden, m.dec_hidden);
      check_out(s.dec_out, m.dec_out);
    });
  }
}

TEST_CASE("Linear shards: the cut, the names, copying back, and bad input") {
  hg::Rng rng(1);
  Linear whole(7, 5, rng, hg::Init::Xavier, "enc");
  hg::LinearOutputShard out(whole, 1, 2);  // output features 2..5
  CHECK(out.lo() == 2);
  CHECK(out.hi() == 5);
  CHECK(out.params()[0]->name == "enc.W[1/2]");
  CHECK(out.params()[0]->value.at(0, 3) == whole.W().value.at(2, 3));
  hg::LinearInputShard in(whole, 1, 2);  // input features 3..7
  CHECK(in.lo() == 3);
  CHECK(in.params().size() == 1);  // no bias off shard 0
  CHECK(in.params()[0]->value.at(4, 0) == whole.W().value.at(4, 3));

  auto message = [](const auto& f) -> std::string {
    try {
      f();
    } catch (const hg::Error& e) {
      return e.what();
    }
    return "";
  };
  CHECK(message([&] {
          hg::LinearOutputShard(whole, 2, 2);
        }).find("expected 0 <= rank < count") != std::string::npos);
  CHECK(message([&] {
          hg::LinearOutputShard(whole, 0, 6);
        }).find("cannot be split over 6") != std::string::npos);
  // copy_into puts every slice back where it came from.
  hg::Rng other(2);
  Linear back(7, 5, other, hg::Init::Xavier, "enc");
  rng.fill_normal(whole.b().value, 0.0f, 1.0f);
  for (int t = 0; t < 3; ++t)
    hg::LinearOutputShard(whole, t, 3).copy_into(back);
  CHECK(back.W().value.at(4, 6) == whole.W().value.at(4, 6));
  CHECK(back.b().value.at(0, 4) == whole.b().value.at(0, 4));
  Linear back2(7, 5, other, hg::Init::Xavier, "enc");
  for (int t = 0; t < 2; ++t)
    hg::LinearInputShard(whole, t, 2).copy_into(back2);
  for (std::size_t i = 0; i < whole.W().value.size(); ++i)
    CHECK(back2.W().value[i] == whole.W().value[i]);
  CHECK(back2.b().value.at(0, 2) == whole.b().value.at(0, 2));
  Linear wrong(5, 7, other);
  CHECK(message([&] { out.copy_into(wrong); }).find("expected (5, 7)") !=
        std::string::npos);

  hg::ShardGroup group(1);
  hg::Tape& tape = group.shard(0).tape;
  Var x = tape.input(Tensor(hg::Shape{2, 4}));
  hg::LinearInputShard first(whole, 0, 2);  // wants its 3 columns
  CHECK(message([&] {
          first(group.shard(0), x);
        }).find("must be its columns 0..3") != std::string::npos);
  CHECK(message([&] { out(group.shard(0), x); }).find("must be (B, 7)") !=
        std::string::npos);
  Var x7 = tape.input(Tensor(hg::Shape{2, 7}));
  CHECK(message([&] { out(group.shard(0), x7); }).find("called on shard 0") !=
        std::string::npos);
  hg::LinearOutputShard zero(whole, 0, 2);  // a slice of 2, in a group of 1
  CHECK(message([&] {
          zero(group.shard(0), x7);
        }).find("shard 0 of 1, but it holds the slice of shard 0 of 2") !=
        std::string::npos);
}
