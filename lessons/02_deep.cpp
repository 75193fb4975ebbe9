// Lesson 2 — the deep autoencoder
// ===============================
//
// What you will build
//   The same hourglass as lesson 01, with more layers on each side. The encoder narrows
//   784 → 256 → 64 → 32 and the decoder mirrors it back 32 → 64 → 256 → 784:
//
//       h₁ = relu(W₁ x  + b₁)      784 → 256
//       h₂ = relu(W₂ h₁ + b₂)      256 → 64
//       z  =      W₃ h₂ + b₃       64  → 32    the code (no squashing)
//       g₁ = relu(W₄ z  + b₄)      32  → 64
//       g₂ = relu(W₅ g₁ + b₅)      64  → 256
//       x̂ = σ(W₆ g₂ + b₆)         256 → 784   pixels in (0, 1)
//       L  = ‖x − x̂‖²
//
// What is new
//   Depth, and the reason it pays: a stack of non-linear layers can bend the map from image
//   to code, which no linear map (and so no PCA) can. With depth come two practical
//   questions: how to draw the first weights so that a signal survives several ReLU layers
//   (He initialisation, step 3, forwards and backwards), and where the output should start
//   (at the mean image, `start_at_mean`).
//
// How to run it
//   scripts/lesson 02_deep                the full run (--quick: seconds)
//   scripts/lesson 02_deep --step=batch   pause after each step, and inside training
//   scripts/lesson 02_deep --resume       continue an interrupted run
//   scripts/lesson 02_deep --help         every flag
//
// What to look for: printed when the run starts (look_for, below) and at the
// top of the lesson's page; a full run's figures are in lessons/README.md.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "common.hpp"
#include "hourglass/hourglass.hpp"

using hg::Var;

// ---------------------------------------------------------------------------
// The model: six layers, 784 → 256 → 64 → 32 the encoder, 32 → 64 → 256 → 784 the decoder.
// The code z has no activation: a ReLU there would let code units die (0 for every image), a
// sigmoid would squeeze them; a linear code uses the whole real line, like PCA's.
struct DeepAutoencoder {
  std::vector<hg::Linear> encoder, decoder;

  // `relu_init` draws the layers that feed a ReLU; the code layer and the output layer
  // (followed by nothing and by σ) are drawn by Xavier.
  DeepAutoencoder(int pixels, int code_size, hg::Rng& rng, hg::Init relu_init) {
    const int widths[] = {pixels, 256, 64, code_size, 64, 256, pixels};
    encoder.reserve(3);  // an optimizer points into the layers: they
    decoder.reserve(3);  // must never move, so reserve, then build
    for (int i = 0; i < 6; ++i) {
      const hg::Init init = i == 2 || i == 5 ? hg::Init::Xavier : relu_init;  // z, x̂: no ReLU
      const std::string name = (i < 3 ? "enc" : "dec") + std::to_string(i % 3 + 1);
      (i < 3 ? encoder : decoder).emplace_back(widths[i], widths[i + 1], rng, init, name);
    }
  }
  DeepAutoencoder(const DeepAutoencoder&) = delete;  // see reserve above
  const hg::Linear& layer(int i) const { return i < 3 ? encoder[i] : decoder[i - 3]; }  // of 6

  // a = relu(W a + b) through each layer of `side` but the last, then W a + b: the encoder
  // ends at the code z, the decoder at the logits of x̂. `seen`, if given, collects each a.
  static Var through(std::vector<hg::Linear>& side, Var a, std::vector<Var>* seen) {
    for (std::size_t i = 0; i < side.size(); ++i) {
      a = i + 1 < side.size() ? relu(side[i](a)) : side[i](a);
      if (seen) seen->push_back(a);
    }
    return a;
  }
  Var encode(Var x, std::vector<Var>* seen = nullptr) { return through(encoder, x, seen); }
  Var decode_logits(Var z, std::vector<Var>* seen = nullptr) { return through(decoder, z, seen); }
  Var reconstruct(Var x) { return sigmoid(decode_logits(encode(x))); }  // x̂

  // Start the output at the mean image μ: b₆ = logit(μ), so x̂ ≈ μ while W₆ g₂ is still
  // small. Otherwise x̂ starts at σ(0) = 0.5 everywhere and the first steps go into learning
  // the black background, not the code.
  void start_at_mean(const hg::Tensor& mu) {
    hg::Tensor& b = decoder.back().b().value;  // (1, 784)
    for (std::size_t j = 0; j < b.size(); ++j) {
      const float m = std::clamp(mu[j], 0.01f, 0.99f);  // finite logits
      b[j] = std::log(m / (1.0f - m));
    }
  }

  hg::ParameterList params() {
    return hg::params(encoder[0], encoder[1], encoder[2], decoder[0], decoder[1], decoder[2]);
  }
};

// The loss of one batch: the mean over its images of ‖x − x̂‖².
Var batch_loss(DeepAutoencoder& ae, Var x) { return mse(ae.reconstruct(x), x); }

// ---------------------------------------------------------------------------
struct Settings { int code_size = 32, sweep_epochs = 6; std::string init = "he"; };
double test_error(DeepAutoencoder& ae, const hg::Dataset& data) {
  return lessons::error_per_pixel(data, [&](Var x) { return ae.reconstruct(x); });
}

lessons::Curves fit(hg::Lesson& lesson, const std::string& name, DeepAutoencoder& ae,
                    const hg::LessonData& data, const hg::PCA& pca, int epochs,
                    std::uint64_t seed, const Settings& s) {
  ae.start_at_mean(pca.mean);
  hg::Adam adam(ae.params(), {.lr = lesson.options().lr});
  lessons::Run run{
      .name = name, .opt = adam, .batch_size = lesson.options().batch_size,
      .rng = hg::Rng(seed), .checkpoint = true,
      .settings = {{"code_size", std::to_string(ae.layer(2).out_features())}, {"init", s.init}},
      .loss = [&](hg::Tape& tape, const hg::Batch& b) {
        return batch_loss(ae, tape.input(b.images));  // x: (B, 784)
      }};
  return lessons::train(lesson, run, data.train, epochs,
                        [&] { return test_error(ae, data.validation); });
}

// PCA from only the first k of its coordinates: zero the rest and decode. The components are
// orthonormal and sorted, so this IS the k-component PCA: one fit serves every code size.
hg::Tensor pca_reconstruct(const hg::PCA& pca, const hg::Tensor& images, int k) {
  hg::Tensor z = pca.encode(images);  // (N, K)
  for (int i = 0; i < z.rows(); ++i)
    for (int j = std::min(k, z.cols()); j < z.cols(); ++j) z.at(i, j) = 0.0f;
  return pca.decode(z);
}
double pca_error(const hg::PCA& pca, const hg::Dataset& test, int k) {
  return hg::error_per_pixel(test.images, pca_reconstruct(pca, test.images, k));
}

// ---------------------------------------------------------------------------
// The steps.
hg::LessonData load(hg::Lesson& lesson, hg::Rng& rng) {
  lesson.step(1, "Load Fashion-MNIST", "The three sets of lesson 01: images to train on, 5,000 "
              "kept aside to watch for overfitting, the test images for the end.");
  return lessons::load_data(lesson, rng);
}

// The PCA fitted, and the mean image's test error per pixel.
std::pair<hg::PCA, double> baselines(hg::Lesson& lesson, const hg::LessonData& data,
                                     const Settings& s) {
  lesson.step(2, "The bars to clear: the mean image and PCA",
              "PCA with k components is the best any pair of linear maps through k numbers can "
              "do on squared error (Eckart–Young); the mean image is PCA with k = 0. One fit "
              "gives PCA for every k the lesson needs.");
  const double mean_error = lessons::mean_image_error(data.train, data.test);
  lesson.result("mean_image_error", "mean image: test error per pixel", mean_error);
  const int k = std::min({std::max(64, s.code_size), data.train.pixels(), data.train.size() - 1});
  hg::PCA pca = hg::fit_pca(data.train.images, k);
  std::printf("test error per pixel: mean image %.5f, PCA(%d) %.5f\n", mean_error,
              s.code_size, pca_error(pca, data.test, s.code_size));
  return {std::move(pca), mean_error};
}

// RMS per unit of each output (h₁, h₂, z, g₁, g₂, logits) and of ∂L/∂ of it, on one batch.
// `noise_at_output`: the loss ‖a − T‖² against large random T: ∂L/∂a at the output is noise.
struct Signal { std::vector<double> forward, backward; };
Signal signal_at_init(DeepAutoencoder& ae, const hg::Tensor& images,
                      bool noise_at_output, hg::Rng& rng) {
  auto rms = [](const hg::Tensor& t) {
    double sum = 0;
    for (float v : t) sum += double(v) * v;
    return std::sqrt(sum / double(t.size()));
  };
  hg::Tape tape;
  std::vector<Var> seen;
  Var x = tape.input(images);
  Var logits = ae.decode_logits(ae.encode(x, &seen), &seen);
  hg::Tensor noise(images.shape());
  rng.fill_normal(noise, 0.0f, 100.0f);
  tape.backward(noise_at_output ? mse(logits, tape.input(noise))
                                : mse(sigmoid(logits), x));  // the real loss
  Signal s;
  for (Var v : seen) s.forward.push_back(rms(v.value())), s.backward.push_back(rms(v.grad()));
  return s;
}

// Step 3's table, and the factors back through the first and the last ReLU layer as results.
void signal_table(hg::Lesson& lesson, DeepAutoencoder& he_ae, const Signal& he,
                  const Signal& xa, const Signal& noise) {
  const char* names[] = {"h1", "h2", "z", "g1", "g2"};
  auto n_to_m = [&](int i) {
    return std::to_string(he_ae.layer(i).in_features()) + "→" +
           std::to_string(he_ae.layer(i).out_features());
  };
  // The factor layer i, n → m, applies to the gradient's RMS going back: √(m·Var(W)/2) with a
  // ReLU after it, √(m·Var(W)) without; so √(m/n) under He, √(2m/(n + m)) for the Xavier
  // code layer (i = 2, z).
  auto predicted = [&](int i) {
    const double n = he_ae.layer(i).in_features(), m = he_ae.layer(i).out_features();
    return i != 2 ? std::sqrt(m / n) : std::sqrt(2 * m / (n + m));
  };
  std::vector<std::vector<std::string>> rows;
  for (int i = 0; i < 5; ++i) {
    rows.push_back({names[i], n_to_m(i), hg::cell("%.3f", he.forward[i]),
                    hg::cell("%.3f", xa.forward[i]), "", "", ""});
    if (i == 4) break;  // g2: the output layer follows, not a hidden one
    const double factors[] = {predicted(i + 1),
                              noise.backward[i] / noise.backward[i + 1],  // random
                              he.backward[i] / he.backward[i + 1]};       // the loss's
    for (int j = 0; j < 3; ++j) rows[i][4 + j] = hg::cell("%.2f", factors[j]);
    if (i != 0 && i != 3) continue;  // results: the first and the last ReLU layer back
    const std::string key = i == 0 ? "init_back_first_" : "init_back_last_";
    lesson.result(key + "predicted", "init: ×RMS of ∂L/∂" + std::string(names[i]) +
                  " back through " + n_to_m(i + 1) + ", √(m/n)", factors[0]);
    lesson.result(key + "random", "...measured, random output gradient", factors[1]);
    lesson.result(key + "loss", "...measured, the loss's gradient", factors[2]);
  }
  lesson.table("forward RMS of each output at initialisation, and the factor ×RMS of "
               "∂L/∂· going back to it from the next output (He)",
               {"output", "layer n→m", "forward RMS, He", "forward RMS, Xavier",
                "× back, predicted", "× back, random", "× back, the loss"},
               std::move(rows));
}

void initialisation(hg::Lesson& lesson, const hg::LessonData& data, const Settings& s) {
  lesson.step(3, "He initialisation, forwards and backwards", "A layer a = W h with n inputs and "
              "m outputs gives each unit E[a²] = n·Var(W)·E[h²]; a ReLU halves it, so He's "
              "Var(W) = 2/n keeps E[h²] going forwards. Backwards ∂L/∂h = Wᵀ·∂L/∂a sums m terms: "
              "the same rule scales each unit's gradient's RMS by √(m/n), down through the "
              "narrowing encoder, up through the widening decoder. The table: forward RMS under "
              "He and Xavier; per layer back, the predicted factor, the factor measured with a "
              "random output gradient (what the rule assumes) and with the loss's own, which is "
              "far from random (one residual x̂ − x).");
  const hg::Dataset probe = hg::take(data.train, std::min(500, data.train.size()));
  const std::uint64_t seed = lesson.options().seed;
  hg::Rng he_rng(seed + 10), xavier_rng(seed + 10), noise_rng(seed + 11);
  DeepAutoencoder he_ae(data.train.pixels(), s.code_size, he_rng, hg::Init::He);
  DeepAutoencoder xavier_ae(data.train.pixels(), s.code_size, xavier_rng, hg::Init::Xavier);
  const Signal he = signal_at_init(he_ae, probe.images, false, noise_rng);
  const Signal xa = signal_at_init(xavier_ae, probe.images, false, noise_rng);
  const Signal noise = signal_at_init(he_ae, probe.images, true, noise_rng);
  lesson.result("init_he_first_rms", "init, He: RMS of h1", he.forward[0]);
  lesson.result("init_he_last_rms", "init, He: RMS of g2", he.forward[4]);
  lesson.result("init_xavier_last_rms", "init, Xavier: RMS of g2", xa.forward[4]);
  signal_table(lesson, he_ae, he, xa, noise);
}

void show_reconstructions(hg::Lesson& lesson, const hg::Dataset& test, const hg::PCA& pca,
                          int code_size, DeepAutoencoder& ae) {
  const int shown = std::min(12, test.size());
  const hg::Tensor x_hat =
      lessons::forward_all(test.images, [&](Var x) { return ae.reconstruct(x); });
  hg::write_png(lesson.out_path("reconstructions.png"),
                hg::triples_grid(test.images, x_hat, pca_reconstruct(pca, test.images, code_size),
                                 test.height, test.width, shown, shown, {.scale = 2}));
  lesson.figure("reconstructions.png", "test images, the deep autoencoder's reconstructions, "
                "PCA's: the deep model keeps more of each garment's outline and its dark and "
                "light regions");
}

void train_deep(hg::Lesson& lesson, const hg::LessonData& data, const Settings& s,
                const hg::PCA& pca, DeepAutoencoder& ae, double mean_error) {
  lesson.step(4, "Train the deep autoencoder", "Adam on the squared error, the recipe of lesson "
              "01 through six layers. The training error of an epoch is the mean over its "
              "batches while the weights improve, so it sits above the validation error, "
              "measured after the epoch. Compare the test error with PCA's at the same code size.");
  const lessons::Curves c = fit(lesson, "deep", ae, data, pca, lesson.options().epochs,
                                lesson.options().seed + 1, s);
  const double pca_test = pca_error(pca, data.test, s.code_size), error = test_error(ae, data.test);
  std::printf("test error per pixel: deep autoencoder %.5f, PCA(%d) %.5f\n", error,
              s.code_size, pca_test);
  std::vector<double> train_per_pixel;
  for (double l : c.train_loss) train_per_pixel.push_back(l / data.train.pixels());
  hg::save_svg(lesson.out_path("loss.svg"),
               hg::LinePlot{.title = "Lesson 2: deep autoencoder, error per pixel",
                            .x_label = "epoch", .y_label = "mean (x - x̂)²",
                            .series = {{"training", c.epoch, train_per_pixel},
                                       {"validation", c.epoch, c.val_error},
                                       {"PCA (test)", {1.0, c.epoch.back()}, {pca_test, pca_test}}},
                            .log_y = true});
  lesson.figure("loss.svg", "training and validation error per epoch, PCA's as a line: the "
                "deep model passes it within the first epochs");
  show_reconstructions(lesson, data.test, pca, s.code_size, ae);
  lesson.result("pca_test_error", "PCA test error per pixel", pca_test);
  lesson.result("deep_final_train_error", "last epoch: training error per pixel",
                train_per_pixel.back());
  lesson.result("deep_final_val_error", "last epoch: validation error per pixel",
                c.val_error.back());
  lesson.result("deep_test_error", "deep autoencoder test error per pixel", error);
  lesson.result("margin_vs_pca_percent", "deep autoencoder below PCA by (%)",
                100.0 * (1.0 - error / pca_test));
  lessons::warn_if_diverged(lesson, "the deep autoencoder", error, "mean image", mean_error);
}

hg::Tensor sweep(hg::Lesson& lesson, const hg::LessonData& data, const Settings& s,
                 const hg::PCA& pca, hg::Init init) {
  lesson.step(5, "Code size against error, deep autoencoder and PCA",
              "A fresh deep autoencoder per code size (the hidden layers stay), trained for "
              "--sweep-epochs, fewer than step 4; PCA needs no training. PCA is a flat "
              "subspace; the decoder maps the code onto a curved surface, which can pass "
              "closer to the images. Look at where the gap is widest.");
  const std::vector<double> sizes = {2, 8, 32, 64};
  std::vector<double> deep, linear;
  std::vector<std::vector<std::string>> rows;
  hg::Tensor codes_2d;  // (N, 2) test codes of the 2-number model
  for (const int k : sizes) {
    const std::string n = std::to_string(k);
    std::printf("code size %d:\n", k);
    hg::Rng model_rng(lesson.options().seed + 100 + k);
    DeepAutoencoder ae(data.train.pixels(), k, model_rng, init);
    fit(lesson, "code" + n, ae, data, pca, s.sweep_epochs, lesson.options().seed + 200 + k, s);
    deep.push_back(test_error(ae, data.test));
    linear.push_back(pca_error(pca, data.test, k));
    rows.push_back({n, hg::cell("%.5f", deep.back()), hg::cell("%.5f", linear.back()),
                    hg::cell("%.2f", deep.back() / linear.back())});
    lesson.result("sweep_deep_" + n, "sweep: deep AE, code " + n, deep.back());
    lesson.result("sweep_pca_" + n, "sweep: PCA, code " + n, linear.back());
    if (k == 2)
      codes_2d = lessons::forward_all(data.test.images, [&](Var x) { return ae.encode(x); });
  }
  lesson.table("test error per pixel", {"code size", "deep AE", "PCA", "deep / PCA"},
               std::move(rows));
  hg::save_svg(lesson.out_path("code_size.svg"),
               hg::LinePlot{.title = "Lesson 2: test error against code size",
                            .x_label = "code size", .y_label = "mean (x - x̂)²",
                            .series = {{"deep autoencoder", sizes, deep}, {"PCA", sizes, linear}},
                            .log_y = true});
  lesson.figure("code_size.svg", "test error against code size: the deep model's error is "
                "furthest below PCA's for the smallest codes; at 64, after these short runs, "
                "PCA catches up");
  return codes_2d;
}

void scatter(hg::Lesson& lesson, const char* file, const char* title, const hg::Tensor& codes,
             const hg::Dataset& data, const std::string& axis, const char* caption) {
  const int n = std::min(3000, data.size());
  hg::ScatterPlot plot{.title = title, .x_label = axis + " 1", .y_label = axis + " 2",
                       .x = {}, .y = {}, .labels = {data.labels.begin(), data.labels.begin() + n},
                       .class_names = data.class_names};
  for (int i = 0; i < n; ++i) plot.x.push_back(codes.at(i, 0));
  for (int i = 0; i < n; ++i) plot.y.push_back(codes.at(i, 1));
  hg::save_svg(lesson.out_path(file), plot);
  lesson.figure(file, caption);
}

void two_numbers(hg::Lesson& lesson, const hg::LessonData& data, const hg::PCA& pca,
                 const hg::Tensor& codes_2d) {
  lesson.step(6, "Two numbers per image: the codes, coloured by class",
              "Neither model saw a label; the colours come afterwards. PCA's two coordinates "
              "are the images' shadow on the plane of largest variance; the deep encoder (the "
              "sweep's code-2 model) can fold and stretch before it flattens. Look for "
              "classes that PCA lets overlap and the deep code separates.");
  scatter(lesson, "codes_2d_deep.svg", "Deep autoencoder, 2-D codes of test images", codes_2d,
          data.test, "z", "the deep code-2 model: trousers, bags and footwear get regions "
          "of their own; the tops still overlap");
  scatter(lesson, "codes_2d_pca.svg", "PCA, first two coordinates of test images",
          pca.encode(data.test.images), data.test, "PC", "PCA's plane: sandals and sneakers "
          "share a streak, trousers lie on dresses");
}

void the_numbers(hg::Lesson& lesson, const Settings& s) {
  lesson.step(7, "The numbers", "The deep model has many more parameters than PCA, but the code, "
              "what an image is stored as, is the same number of floats: depth buys a better "
              "code, not a bigger one.");
  lesson.result("code_size", "code size", s.code_size);
  lesson.try_this({
      {"--init xavier",
       "Xavier's start for the ReLU layers: with Adam, the same test error as He's."},
      {"--code-size 2", "Two numbers per image: the lead over PCA(2) is wider than at 32."},
  });
}

// ---------------------------------------------------------------------------
int main(int argc, char** argv) {
  Settings s;
  const hg::LessonInfo info{
      .name = "02_deep",
      .summary = "a deep autoencoder 784-256-64-32-64-256-784 (ReLU, He init) against PCA",
      .look_for = "Step 3: He initialisation keeps each unit's activation the same size forwards, "
                  "where Xavier's shrink; backwards each layer scales the gradient by √(fan-out / "
                  "fan-in). Step 4: at code size 32 the deep autoencoder's test error is clearly "
                  "below PCA's (lesson 01's single sigmoid layer only reached PCA). Steps 5 and "
                  "6: the code sizes where the gap to PCA is widest, and two-number codes "
                  "coloured by class, deep beside PCA.",
      .epochs = 15, .batch_size = 128, .lr = 1e-3f,
      .flags = {hg::flag("code-size", &s.code_size, "units in the code z", 1, 784),
                hg::flag("init", &s.init, "rule for the layers before a ReLU: he (default) or "
                         "xavier (steps 4 and 5)"),
                hg::flag("sweep-epochs", &s.sweep_epochs,
                         "epochs per model of the code-size sweep (step 5)", 1, 1000)},
      .resumable = true};

  return hg::run_lesson(argc, argv, info, [&](hg::Lesson& lesson) {
    hg::check(s.init == "he" || s.init == "xavier",
              "02_deep: --init expects he or xavier, got \"", s.init, "\"");
    const hg::Init init = s.init == "he" ? hg::Init::He : hg::Init::Xavier;
    hg::Rng rng(lesson.options().seed);
    const hg::LessonData data = load(lesson, rng);
    const auto [pca, mean_error] = baselines(lesson, data, s);
    initialisation(lesson, data, s);
    DeepAutoencoder ae(data.train.pixels(), s.code_size, rng, init);
    train_deep(lesson, data, s, pca, ae, mean_error);
    const hg::Tensor codes_2d = sweep(lesson, data, s, pca, init);
    two_numbers(lesson, data, pca, codes_2d);
    the_numbers(lesson, s);
  });
}
