// Every public entry point that takes tensors, given a wrong shape, must
// throw hg::Error whose message names the entry point and shows the shapes
// involved ("(2, 3)" and "(4, 5)"), never assert, crash or return garbage.
//
// What it is: one table, one row per entry point, each row the call with a
// wrong shape and the words its message must contain. What it is not: a
// test of the right-shape results (each layer's own tests do that). Kernels
// on raw float* are left out on purpose: they take sizes, not shapes.
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "hourglass/hourglass.hpp"
#include "hourglass/nn/contractive.hpp"
#include "hourglass/nn/kmeans.hpp"
#include "hourglass/nn/softmax.hpp"
#include "hourglass/optim/clip.hpp"
#include "hourglass/data/noise.hpp"

using hg::Tensor;
using hg::Var;

namespace {

struct Case {
  const char* entry;                  // what the row calls
  std::vector<std::string> mentions;  // each must appear in the message
  std::function<void()> call;
};

// A (rows, cols) tensor of small non-zero numbers: values never matter here.
Tensor t(std::initializer_list<int> dims) { return Tensor(hg::Shape(dims), 0.5f); }

const std::string s23 = "(2, 3)", s45 = "(4, 5)";

std::vector<Case> cases(hg::Tape& tape, hg::Rng& rng) {
  auto in = [&](std::initializer_list<int> d) { return tape.input(t(d)); };
  static hg::Parameter w45("w", t({4, 5}));
  auto pw = [&] { return tape.param(w45); };
  // The rows copy `in` and `pw` (locals of this function) and refer to the
  // caller's tape and rng.
  return {
      // ---- autodiff ops: two operands whose shapes do not fit ----
      {"matmul", {"matmul", s23, s45}, [=, &tape, &rng] { matmul(in({2, 3}), in({4, 5})); }},
      {"matmul transposed", {"matmul", s23, s45},
       [=, &tape, &rng] { matmul(in({2, 3}), in({4, 5}), true, false); }},
      {"linear", {"linear", s23, s45},
       [=, &tape, &rng] { linear(in({2, 3}), in({4, 5}), in({1, 4})); }},
      {"add", {"add", s23, s45}, [=, &tape, &rng] { add(in({2, 3}), in({4, 5})); }},
      {"sub", {"sub", s23, s45}, [=, &tape, &rng] { sub(in({2, 3}), in({4, 5})); }},
      {"mul", {"mul", s23, s45}, [=, &tape, &rng] { mul(in({2, 3}), in({4, 5})); }},
      {"div", {"div", s23, s45}, [=, &tape, &rng] { div(in({2, 3}), in({4, 5})); }},
      {"concat_cols", {"concat_cols", s23, s45},
       [=, &tape, &rng] { concat_cols(in({2, 3}), in({4, 5})); }},
      {"reshape", {"reshape", s23, s45}, [=, &tape, &rng] { reshape(in({2, 3}), {4, 5}); }},
      {"slice_cols", {"slice_cols", s23}, [=, &tape, &rng] { slice_cols(in({2, 3}), 1, 5); }},
      {"conv2d", {"conv2d", s23}, [=, &tape, &rng] { conv2d(in({2, 3}), in({1, 1, 3, 3}), in({1})); }},
      {"conv_transpose2d", {"conv_transpose2d", s23},
       [=, &tape, &rng] { conv_transpose2d(in({2, 3}), in({1, 1, 3, 3}), in({1})); }},
      {"max_pool2d", {"max_pool2d", s23}, [=, &tape, &rng] { max_pool2d(in({2, 3})); }},
      {"upsample2d", {"upsample2d", s23}, [=, &tape, &rng] { upsample2d(in({2, 3})); }},
      {"Tape::backward", {"backward", s45}, [=, &tape, &rng] {
         Var y = mul(pw(), 2.0f);
         tape.backward(y);
       }},
      // ---- losses: prediction and target differ ----
      {"mse", {"mse", s23, s45}, [=, &tape, &rng] { mse(in({2, 3}), in({4, 5})); }},
      {"mae", {"mae", s23, s45}, [=, &tape, &rng] { mae(in({2, 3}), in({4, 5})); }},
      {"bce", {"bce", s23, s45}, [=, &tape, &rng] { bce(in({2, 3}), in({4, 5})); }},
      {"bce_with_logits", {"bce_with_logits", s23, s45},
       [=, &tape, &rng] { bce_with_logits(in({2, 3}), in({4, 5})); }},
      {"gaussian_kl", {"gaussian_kl", s23, s45},
       [=, &tape, &rng] { gaussian_kl(in({2, 3}), in({4, 5})); }},
      {"contractive_penalty", {"contractive_penalty", s23, s45},
       [=, &tape, &rng] { hg::contractive_penalty(in({2, 3}), pw()); }},
      {"softmax_cross_entropy", {"softmax_cross_entropy", s23}, [=, &tape, &rng] {
         std::vector<std::uint8_t> labels(5, 0);
         hg::softmax_cross_entropy(in({2, 3}), labels);
       }},
      // ---- layers: an input of the wrong width ----
      {"Linear", {"enc", s45}, [=, &tape, &rng] {
         hg::Linear enc(3, 4, rng, hg::Init::Xavier, "enc");
         enc(in({4, 5}));
       }},
      {"Conv2d", {"conv", "(2, 3, 5, 5)"}, [=, &tape, &rng] {
         hg::Conv2d conv(1, 2, 3, 1, 0, rng);
         conv(in({2, 3, 5, 5}));
       }},
      {"ConvTranspose2d", {"conv", "(2, 3, 5, 5)"}, [=, &tape, &rng] {
         hg::ConvTranspose2d conv(1, 2, 3, 1, 0, rng);
         conv(in({2, 3, 5, 5}));
       }},
      // ---- plain tensor functions ----
      {"check_same_shape", {"myop", s23, s45},
       [=, &tape, &rng] { hg::check_same_shape("myop", t({2, 3}), t({4, 5})); }},
      {"Tensor::reshape", {"reshape", s23, s45}, [=, &tape, &rng] {
         Tensor a = t({2, 3});
         a.reshape({4, 5});
       }},
      {"PCA::reconstruct", {"PCA", s45}, [=, &tape, &rng] {
         hg::PCA pca = hg::fit_pca(t({4, 3}), 1);
         pca.reconstruct(t({4, 5}));
       }},
      {"squared_distances", {"squared_distances", s23, s45},
       [=, &tape, &rng] { hg::squared_distances(t({2, 3}), t({4, 5})); }},
      {"accuracy", {"accuracy", s23}, [=, &tape, &rng] {
         std::vector<std::uint8_t> labels(5, 0);
         hg::accuracy(t({2, 3}), labels);
       }},
      {"psnr", {"psnr", s23, s45}, [=, &tape, &rng] { hg::psnr(t({2, 3}), t({4, 5})); }},
      // Grids check each set of tiles against the tile size first: a set of
      // the wrong width is named with the width expected.
      {"pairs_grid", {"pairs_grid", s45, "(N, 3)"},
       [=, &tape, &rng] { hg::pairs_grid(t({2, 3}), t({4, 5}), 1, 3, 2, 2); }},
      {"pairs_grid, too few", {"pairs_grid", s23, "(4, 3)"},
       [=, &tape, &rng] { hg::pairs_grid(t({2, 3}), t({4, 3}), 1, 3, 4, 2); }},
      {"triples_grid", {"triples_grid", s45, "(N, 3)"},
       [=, &tape, &rng] { hg::triples_grid(t({2, 3}), t({2, 3}), t({4, 5}), 1, 3, 2, 2); }},
      {"image_grid", {"image_grid", s23}, [=, &tape, &rng] { hg::image_grid(t({2, 3}), 2, 2, 1, 2); }},
      {"clip_grad_norm", {"clip_grad_norm", s23, s45}, [=, &tape, &rng] {
         hg::Parameter p("p", t({2, 3}));
         p.grad = t({4, 5});
         hg::ParameterList list{&p};
         hg::clip_grad_norm(list, 1.0f);
       }},
      {"Adam::step after a resize", {"Adam", "p"}, [=, &tape, &rng] {
         hg::Parameter p("p", t({2, 3}));
         hg::Adam adam({&p}, {});
         p.value = t({4, 5});
         p.grad = t({4, 5});
         adam.step();
       }},
      {"load_parameters", {"load_parameters", s23, s45}, [=, &tape, &rng] {
         const auto path = std::filesystem::temp_directory_path() / "hg-wrong-shape.safetensors";
         hg::Parameter a("a", t({2, 3})), b("a", t({4, 5}));
         hg::save_parameters(path.string(), {&a});
         hg::load_parameters(path.string(), {&b});
       }},
  };
}

}  // namespace

TEST_SUITE("wrong_shapes") {
  TEST_CASE("every entry point names itself and the shapes") {
    hg::Tape tape;
    hg::Rng rng(7);
    int tried = 0;
    for (const Case& c : cases(tape, rng)) {
      tape.clear();
      ++tried;
      // HG_TRACE=1 prints each row first: the last one printed is a crash.
      if (std::getenv("HG_TRACE")) std::fprintf(stderr, "%s\n", c.entry);
      std::string message = "<no hg::Error>";
      try {
        c.call();
      } catch (const hg::Error& e) {
        message = e.what();
      }
      INFO(std::string(c.entry), ": ", message);
      CHECK(message != "<no hg::Error>");
      for (const std::string& m : c.mentions)
        CHECK_MESSAGE(message.find(m) != std::string::npos, "expected \"", m, "\"");
    }
    MESSAGE(tried, " entry points tried with wrong shapes");
    CHECK(tried >= 35);
  }
}
