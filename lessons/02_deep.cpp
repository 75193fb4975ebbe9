// Lesson 2 — the deep autoencoder
// ===============================
//
// What you will build
//   The same hourglass as lesson 01, with more layers on each side. The
//   encoder narrows 784 → 256 → 64 → 32 and the decoder mirrors it back
//   32 → 64 → 256 → 784:
//
//       h₁ = relu(W₁ x  + b₁)      784 → 256
//       h₂ = relu(W₂ h₁ + b₂)      256 → 64
//       z  =      W₃ h₂ + b₃       64  → 32    the code (no squashing)
//       g₁ = relu(W₄ z  + b₄)      32  → 64
//       g₂ = relu(W₅ g₁ + b₅)      64  → 256
//       x̂ = σ(W₆ g₂ + b₆)         256 → 784   pixels in (0, 1)
//       L  = ‖x − x̂‖²
//
//   relu(t) = max(t, 0) between the layers, the sigmoid σ only at the end,
//   where the output has to be a pixel value.
//
// What is new
//   Depth, and the reason it pays: a stack of non-linear layers can bend
//   the map from image to code, which no linear map (and so no PCA) can.
//   With depth come two practical questions: how to draw the first
//   weights so that a signal survives several ReLU layers (He
//   initialisation, step 3), and where the output should start (at the
//   mean image, `start_at_mean`), so that a deeper, slower-to-start model
//   spends its first steps on the code rather than on the background.
//
// How to run it
//   scripts/lesson 02_deep                   full run, about 40 s
//   scripts/lesson 02_deep --quick           a few seconds, fewer samples
//   scripts/lesson 02_deep --step            pause between the steps
//   scripts/lesson 02_deep --help            every flag
//
// What to look for
//   - Step 3: with He initialisation the activations keep their size from
//     layer to layer; with the Xavier rule of lesson 01 they shrink.
//   - Step 4: at code size 32 the deep autoencoder's test error per pixel
//     is clearly below PCA's: 0.0100 against 0.0151 in the default run,
//     34% lower (lesson 01's single sigmoid layer only just reached PCA).
//   - Step 5: the table of code size against error (code_size.svg). The
//     gap to PCA is widest when the code is tiny: two numbers cannot hold
//     much linearly. At 64, where the middle layer no longer narrows, PCA
//     catches up.
//   - codes_2d_deep.svg beside codes_2d_pca.svg: footwear, trousers and
//     bags, which PCA's plane lets overlap, get arms of their own in the
//     deep autoencoder's two numbers.
//   - reconstructions.png: originals, deep autoencoder, PCA (three rows per
//     group); loss.svg: training and validation error per epoch.
//   The figures of a full run are in lessons/README.md.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "hourglass/hourglass.hpp"

using hg::Var;

// ---------------------------------------------------------------------------
// The model. `widths` = {784, 256, 64, 32} names the encoder's layer sizes;
// the decoder walks the same list backwards. Every layer is an hg::Linear
// (W, b); `encode` and `decode_logits` are the six equations above.
//
// Why the code z has no activation: a ReLU there would let some of the 32
// code units die (stuck at 0 for every image, a wasted slot in the
// bottleneck), a sigmoid would squeeze them; a linear code is free to use
// the whole real line, like PCA's coordinates.
struct DeepAutoencoder {
  std::vector<hg::Linear> encoder, decoder;

  // `relu_init` draws the layers that feed a ReLU; the code layer and the
  // output layer (followed by nothing and by σ) are drawn by Xavier.
  DeepAutoencoder(const std::vector<int>& widths, hg::Rng& rng,
                  hg::Init relu_init = hg::Init::He) {
    const int n = static_cast<int>(widths.size()) - 1;  // layers per side
    encoder.reserve(n);  // Linear layers must not move once an optimizer
    decoder.reserve(n);  // holds their parameters: reserve, then build
    for (int i = 0; i < n; ++i) {
      const bool relu_follows = i + 1 < n;
      encoder.emplace_back(widths[i], widths[i + 1], rng,
                           relu_follows ? relu_init : hg::Init::Xavier,
                           "enc" + std::to_string(i + 1));
    }
    for (int i = n; i > 0; --i) {
      const bool relu_follows = i > 1;
      decoder.emplace_back(widths[i], widths[i - 1], rng,
                           relu_follows ? relu_init : hg::Init::Xavier,
                           "dec" + std::to_string(n - i + 1));
    }
  }
  DeepAutoencoder(const DeepAutoencoder&) = delete;  // see reserve above
  DeepAutoencoder& operator=(const DeepAutoencoder&) = delete;

  int code_size() const { return encoder.back().out_features(); }

  // Start the output at the mean image: b₆ = logit(μ) = log(μ / (1 − μ)),
  // so σ(W₆ g₂ + b₆) ≈ μ while W₆ g₂ is still small. Otherwise x̂ starts at
  // σ(0) = 0.5 everywhere, and the first hundred steps go into learning
  // that most of the picture is black background, not into the code.
  void start_at_mean(const hg::Tensor& mu) {
    hg::Tensor& b = decoder.back().b().value;  // (1, 784)
    for (std::size_t j = 0; j < b.size(); ++j) {
      const float m = std::clamp(mu[j], 0.01f, 0.99f);  // finite logits
      b[j] = std::log(m / (1.0f - m));
    }
  }

  // h = relu(W h + b) through the hidden layers, then z = W h + b.
  Var encode(Var x) {
    Var h = x;
    for (std::size_t i = 0; i + 1 < encoder.size(); ++i) h = relu(encoder[i](h));
    return encoder.back()(h);
  }
  // g = relu(W g + b) back up, then the logits W g + b of the last layer.
  Var decode_logits(Var z) {
    Var g = z;
    for (std::size_t i = 0; i + 1 < decoder.size(); ++i) g = relu(decoder[i](g));
    return decoder.back()(g);
  }
  Var reconstruct(Var x) { return sigmoid(decode_logits(encode(x))); }  // x̂

  hg::ParameterList params() {
    hg::ParameterList all;
    for (hg::Linear& layer : encoder) all.push_back(&layer.W()), all.push_back(&layer.b());
    for (hg::Linear& layer : decoder) all.push_back(&layer.W()), all.push_back(&layer.b());
    return all;
  }
};

// One pass over the training set, exactly as in lesson 01: record the
// forward pass, walk it backward, step. Returns the mean loss per image.
double train_epoch(DeepAutoencoder& ae, hg::Optimizer& opt,
                   const hg::Dataset& train, int batch_size, hg::Rng& rng,
                   hg::Tape& tape, int epoch, int epochs) {
  hg::ProgressBar bar(epoch, epochs, train.size());
  double loss_sum = 0;
  int seen = 0;
  for (const hg::Batch& batch : hg::batches(train, batch_size, rng)) {
    tape.clear();
    Var x = tape.input(batch.images);          // (B, 784)
    Var loss = mse(ae.reconstruct(x), x);      // (1/B) Σ ‖x − x̂‖²
    opt.zero_grad();
    tape.backward(loss);
    opt.step();
    loss_sum += loss.item() * batch.size();
    seen += batch.size();
    bar.update(seen, loss_sum / seen);
  }
  bar.finish(loss_sum / seen);
  return loss_sum / seen;
}

// Every image of `data` through the encoder (want_code) or the whole
// autoencoder, forward only, in order: (N, code) or (N, 784).
hg::Tensor run_all(DeepAutoencoder& ae, const hg::Dataset& data,
                   hg::Tape& tape, bool want_code) {
  const int cols = want_code ? ae.code_size() : data.pixels();
  hg::Tensor out({data.size(), cols});
  std::size_t at = 0;
  hg::Batches eval(data, 500);  // no Rng: in order
  for (const hg::Batch& batch : eval) {
    tape.clear();
    Var x = tape.input(batch.images);
    Var y = want_code ? ae.encode(x) : ae.reconstruct(x);
    std::copy(y.value().begin(), y.value().end(), out.begin() + at);
    at += y.value().size();
  }
  return out;
}

// The yardstick of every lesson, hg::error_per_pixel: mean over images and
// pixels of (x − x̂)².
double test_error(DeepAutoencoder& ae, const hg::Dataset& data, hg::Tape& tape) {
  return hg::error_per_pixel(data.images, run_all(ae, data, tape, false));
}

// Training loss per pixel (the loss is per image: divide by 784, so both
// curves share lesson 01's units) and validation error per pixel, per epoch.
struct Curves {
  std::vector<double> epoch, train_error, val_error;
};
Curves train(DeepAutoencoder& ae, const hg::LessonData& data, int epochs,
             int batch_size, float lr, hg::Rng& rng, hg::Tape& tape) {
  hg::Adam opt(ae.params(), {.lr = lr});
  Curves c;
  for (int e = 1; e <= epochs; ++e) {
    const double loss = train_epoch(ae, opt, data.train, batch_size, rng, tape,
                                    e, epochs);
    c.epoch.push_back(e);
    c.train_error.push_back(loss / data.train.pixels());
    c.val_error.push_back(test_error(ae, data.validation, tape));
  }
  return c;
}

// Root mean square of every hidden ReLU output, in order h₁, h₂, g₁, g₂,
// for one batch at initialisation: how big the signal is at each depth.
std::vector<double> hidden_rms(DeepAutoencoder& ae, const hg::Tensor& images,
                               hg::Tape& tape) {
  auto rms = [](const hg::Tensor& t) {
    double s = 0;
    for (float v : t) s += double(v) * v;
    return std::sqrt(s / static_cast<double>(t.size()));
  };
  std::vector<double> out;
  tape.clear();
  Var h = tape.input(images);
  for (std::size_t i = 0; i + 1 < ae.encoder.size(); ++i) {
    h = relu(ae.encoder[i](h));
    out.push_back(rms(h.value()));
  }
  Var g = ae.encoder.back()(h);
  for (std::size_t i = 0; i + 1 < ae.decoder.size(); ++i) {
    g = relu(ae.decoder[i](g));
    out.push_back(rms(g.value()));
  }
  return out;
}

// The encoder widths for a code of `code_size`: the hidden sizes stay put.
std::vector<int> widths_for(int pixels, int hidden1, int hidden2, int code_size) {
  return {pixels, hidden1, hidden2, code_size};
}

// The 2-D codes of the first `n` test images as a scatter plot by class.
void save_scatter(const std::string& path, const std::string& title,
                  const hg::Tensor& codes, const hg::Dataset& data, int n,
                  const std::string& axis) {
  hg::ScatterPlot plot{.title = title,
                       .x_label = axis + " 1",
                       .y_label = axis + " 2",
                       .x = {}, .y = {}, .labels = {},
                       .class_names = data.class_names};
  for (int i = 0; i < n; ++i) {
    plot.x.push_back(codes.at(i, 0));
    plot.y.push_back(codes.at(i, 1));
    plot.labels.push_back(data.labels[i]);
  }
  hg::save_svg(path, plot);
}

// PCA's reconstruction from only the first k of its coordinates: zero the
// rest and decode, x̂ = z₁v₁ + … + z_k v_k + μ. Because the components are
// orthonormal and sorted, this IS the k-component PCA: one fit serves every
// code size of the sweep.
hg::Tensor pca_reconstruct(const hg::PCA& pca, const hg::Tensor& images, int k) {
  hg::Tensor z = pca.encode(images);  // (N, K)
  for (int i = 0; i < z.rows(); ++i)
    for (int j = k; j < z.cols(); ++j) z.at(i, j) = 0.0f;
  return pca.decode(z);
}

int main(int argc, char** argv) {
  int code_size = 32;
  int hidden1 = 256, hidden2 = 64;
  int sweep_epochs = 6;
  int scatter_points = 3000;
  hg::LessonInfo info{
      .name = "02_deep",
      .summary = "a deep autoencoder 784-256-64-32-64-256-784 (ReLU, He init) against PCA",
      .epochs = 15,
      .batch_size = 128,
      .lr = 1e-3f,
      .flags = {hg::flag("code-size", &code_size, "units in the code z", 1, 784),
                hg::flag("hidden1", &hidden1, "units of the first hidden layer", 1, 4096),
                hg::flag("hidden2", &hidden2, "units of the second hidden layer", 1, 4096),
                hg::flag("sweep-epochs", &sweep_epochs,
                         "epochs per model of the code-size sweep (step 5)", 1, 1000),
                hg::flag("scatter-points", &scatter_points,
                         "test images drawn in the 2-D code plots", 10, 10000)}};

  return hg::run_lesson(argc, argv, info, [&](hg::Lesson& lesson) {
    const hg::LessonOptions& opt = lesson.options();
    hg::Rng rng(opt.seed);
    hg::Tape tape;

    // -----------------------------------------------------------------------
    lesson.step(1, "Load Fashion-MNIST");
    // The same three sets as lesson 01: 55,000 images to train on, 5,000 to
    // watch for overfitting, 10,000 to test on at the very end.
    hg::LessonData data =
        hg::load_lesson_data(opt.data_dir, opt.synthetic, opt.quick, rng);
    const int pixels = data.train.pixels();
    std::printf("train %d, validation %d, test %d images of %dx%d%s\n",
                data.train.size(), data.validation.size(), data.test.size(),
                data.train.height, data.train.width,
                data.synthetic ? " (synthetic shapes)" : "");

    // -----------------------------------------------------------------------
    lesson.step(2, "The linear bar to clear: PCA");
    // Lesson 01 showed the argument: PCA with k components is the best any
    // pair of *linear* maps through k numbers can do on squared error (the
    // Eckart–Young theorem), and its error is what the discarded directions
    // held. Whatever a linear autoencoder learns, it cannot beat that.
    // One fit gives the first K components, and with them PCA for every
    // k ≤ K (see pca_reconstruct). The other baseline is the laziest model
    // of all, the mean training image for every input: PCA with k = 0.
    const std::vector<int> sweep_sizes = {2, 8, 32, 64};
    const int pca_k = std::min(std::max(64, code_size),
                               std::min(pixels, data.train.size() - 1));
    hg::PCA pca = hg::fit_pca(data.train.images, pca_k);
    auto pca_error = [&](int k) {
      return hg::error_per_pixel(data.test.images,
                             pca_reconstruct(pca, data.test.images, std::min(k, pca_k)));
    };
    const double mean_image_error = pca_error(0);
    const double pca_main = pca_error(code_size);
    std::printf("test error per pixel: mean image %.5f, PCA(%d) %.5f\n",
                mean_image_error, code_size, pca_main);

    // -----------------------------------------------------------------------
    lesson.step(3, "Why He initialisation for ReLU layers");
    // In a layer a = W h with n inputs (fan-in) and weights of variance
    // Var(W), each a_j sums n products, so E[a²] = n · Var(W) · E[h²].
    // A ReLU then zeroes the negative half of a, which (for a symmetric a)
    // halves the second moment: E[relu(a)²] = E[a²] / 2. Per ReLU layer:
    //   E[h_out²] = (n · Var(W) / 2) · E[h_in²].
    // He et al. (2015, https://arxiv.org/abs/1502.01852) choose
    // Var(W) = 2 / n so the factor is exactly 1: the signal keeps its size
    // at any depth, and so, by the same count backwards, does the gradient.
    // Xavier's Var(W) = 2 / (n + m) (m = fan-out), right for sigmoid and
    // tanh, gives the factor n / (n + m) instead: 0.75 for 784 → 256 but
    // 0.2 for 64 → 256 — and the shrink compounds layer after layer.
    // Below: the root mean square of each hidden output at initialisation,
    // on the same images, for both rules.
    {
      const hg::Dataset probe = hg::take(data.train, 500);
      const std::vector<int> widths = widths_for(pixels, hidden1, hidden2, code_size);
      hg::Rng he_rng(opt.seed + 10), xavier_rng(opt.seed + 10);
      DeepAutoencoder he_ae(widths, he_rng, hg::Init::He);
      DeepAutoencoder xavier_ae(widths, xavier_rng, hg::Init::Xavier);
      const std::vector<double> he = hidden_rms(he_ae, probe.images, tape);
      const std::vector<double> xa = hidden_rms(xavier_ae, probe.images, tape);
      const char* names[] = {"h1", "h2", "g1", "g2"};
      std::printf("  layer   RMS with He   RMS with Xavier\n");
      for (std::size_t i = 0; i < he.size(); ++i)
        std::printf("  %-5s   %11.4f   %15.4f\n", i < 4 ? names[i] : "h",
                    he[i], xa[i]);
      lesson.result("init_he_last_rms", "init: RMS of the last hidden layer (He)",
                    he.back());
      lesson.result("init_xavier_last_rms",
                    "init: RMS of the last hidden layer (Xavier)", xa.back());
    }

    // -----------------------------------------------------------------------
    lesson.step(4, "Train the deep autoencoder");
    // Adam, squared error, mini-batches of 128: the recipe of lesson 01,
    // now through six layers. The tape does not care how deep the model
    // is: backward walks the same flat list, and each Linear receives
    //   dW = dyᵀ·h,  db = Σ_rows dy,  dh = dy·W,
    // with every relu passing dy only where its input was positive.
    // In loss.svg the training error of an epoch is the mean over its
    // batches, measured while the weights were still improving; that is
    // why it sits above the validation error, measured after the epoch.
    const std::vector<int> widths = widths_for(pixels, hidden1, hidden2, code_size);
    DeepAutoencoder ae(widths, rng);
    ae.start_at_mean(pca.mean);
    hg::Rng train_rng(opt.seed + 1);
    const Curves curves =
        train(ae, data, opt.epochs, opt.batch_size, opt.lr, train_rng, tape);
    const double deep_error = test_error(ae, data.test, tape);
    const double margin = 100.0 * (1.0 - deep_error / pca_main);
    std::printf("test error per pixel: deep autoencoder %.5f, PCA(%d) %.5f: "
                "%.1f%% lower than PCA\n",
                deep_error, code_size, pca_main, margin);

    hg::save_svg(lesson.out_path("loss.svg"),
                 hg::LinePlot{.title = "Lesson 2: deep autoencoder, error per pixel",
                              .x_label = "epoch",
                              .y_label = "mean (x - x̂)²",
                              .series = {{"training", curves.epoch, curves.train_error},
                                         {"validation", curves.epoch, curves.val_error},
                                         {"PCA (test)",
                                          {1.0, double(opt.epochs)},
                                          {pca_main, pca_main}}},
                              .log_y = true});
    // Originals, the deep autoencoder's reconstructions, PCA's: the first
    // 12 test images, three rows per group.
    const int shown = std::min(12, data.test.size());
    hg::write_png(lesson.out_path("reconstructions.png"),
                  hg::triples_grid(data.test.images, run_all(ae, data.test, tape, false),
                                   pca_reconstruct(pca, data.test.images, code_size),
                                   data.test.height, data.test.width, shown, shown,
                                   {.scale = 2}));

    // -----------------------------------------------------------------------
    lesson.step(5, "Code size against error, deep autoencoder and PCA");
    // Each code size gets a fresh deep autoencoder (same hidden layers, only
    // the code changes), trained for --sweep-epochs epochs — fewer than in
    // step 4, to keep the whole lesson within a couple of minutes, so these
    // errors are a little above what full training reaches (compare the
    // row for 32 with step 4). PCA needs no training: its k-component error
    // comes from the one fit of step 2.
    //
    // What to expect: PCA's error falls as components are added, each one
    // taking the next largest share of the variance. The autoencoder is not
    // bound to a flat subspace: its decoder maps the code onto a curved
    // surface through image space, which can pass closer to the images.
    // The advantage is largest when the code is tiny, where a plane
    // through 784-dimensional space is a very poor fit. (The default run:
    // 0.60 of PCA's error at 2 and 0.55 at 8, 0.75 at 32 after these short
    // runs; at 64, where the 64-unit layer before the code no longer
    // narrows anything, PCA is a little ahead after 6 epochs, 1.05. Yet
    // step 4's model, with 32 numbers and 15 epochs, beats PCA with 64.)
    std::vector<double> sweep_deep, sweep_pca;
    hg::Tensor codes_2d_deep;  // (N, 2) test codes of the code-2 model
    for (int k : sweep_sizes) {
      std::printf("code size %d:\n", k);
      hg::Rng model_rng(opt.seed + 100 + k), batch_rng(opt.seed + 200 + k);
      DeepAutoencoder sweep_ae(widths_for(pixels, hidden1, hidden2, k), model_rng);
      sweep_ae.start_at_mean(pca.mean);
      train(sweep_ae, data, sweep_epochs, opt.batch_size, opt.lr, batch_rng, tape);
      sweep_deep.push_back(test_error(sweep_ae, data.test, tape));
      sweep_pca.push_back(pca_error(k));
      if (k == 2) codes_2d_deep = run_all(sweep_ae, data.test, tape, true);
    }
    std::printf("  code size   deep AE    PCA        deep / PCA\n");
    for (std::size_t i = 0; i < sweep_sizes.size(); ++i)
      std::printf("  %9d   %.5f    %.5f    %.2f\n", sweep_sizes[i], sweep_deep[i],
                  sweep_pca[i], sweep_deep[i] / sweep_pca[i]);
    std::vector<double> sizes(sweep_sizes.begin(), sweep_sizes.end());
    hg::save_svg(lesson.out_path("code_size.svg"),
                 hg::LinePlot{.title = "Lesson 2: test error against code size (AE: " +
                                       std::to_string(sweep_epochs) + " epochs)",
                              .x_label = "code size",
                              .y_label = "mean (x - x̂)²",
                              .series = {{"deep autoencoder", sizes, sweep_deep},
                                         {"PCA", sizes, sweep_pca}},
                              .log_y = true});

    // -----------------------------------------------------------------------
    lesson.step(6, "Two numbers per image: the codes, coloured by class");
    // With a code of 2 we can draw every image as a point. Neither model saw
    // a label; the colours are added afterwards, to see whether images of
    // the same kind land together. PCA's two coordinates are the shadow of
    // the images on the plane of largest variance: sandals and sneakers
    // share one streak, trousers lie on dresses, bags spread over the tops
    // and the boots. The deep encoder can fold and stretch before it flattens: in
    // its plane trousers, bags and the three kinds of shoes each get a
    // region of their own. Tops (T-shirt, pullover, coat, shirt) still
    // overlap: they differ in details two numbers cannot hold. The 2-D
    // model is the sweep's (step 5), hence trained for --sweep-epochs.
    const int points = std::min(scatter_points, data.test.size());
    save_scatter(lesson.out_path("codes_2d_deep.svg"),
                 "Deep autoencoder, 2-D codes of test images", codes_2d_deep,
                 data.test, points, "z");
    save_scatter(lesson.out_path("codes_2d_pca.svg"),
                 "PCA, first two coordinates of test images",
                 pca.encode(data.test.images), data.test, points, "PC");

    // -----------------------------------------------------------------------
    lesson.step(7, "The numbers");
    // The deep model has far more parameters than PCA (about 0.44 M against
    // 32 × 784 + 784 ≈ 26 k), but the code, what an image is stored as, is
    // the same 32 floats. Depth buys a better code, not a bigger one.
    lesson.result("code_size", "code size", code_size);
    lesson.result("mean_image_error", "mean image: test error per pixel",
                  mean_image_error);
    lesson.result("pca_test_error", "PCA test error per pixel", pca_main);
    lesson.result("deep_test_error", "deep autoencoder test error per pixel",
                  deep_error);
    lesson.result("margin_vs_pca_percent", "deep autoencoder below PCA by (%)",
                  margin);
    lesson.result("deep_final_train_error", "last epoch: training error per pixel",
                  curves.train_error.back());
    lesson.result("deep_final_val_error", "last epoch: validation error per pixel",
                  curves.val_error.back());
    for (std::size_t i = 0; i < sweep_sizes.size(); ++i) {
      const std::string k = std::to_string(sweep_sizes[i]);
      lesson.result("sweep_deep_" + k, "sweep: deep AE, code " + k, sweep_deep[i]);
      lesson.result("sweep_pca_" + k, "sweep: PCA, code " + k, sweep_pca[i]);
    }
  });
}
