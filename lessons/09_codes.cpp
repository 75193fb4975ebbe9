// Lesson 9 — codes as features
// ============================
//
// What you will build
//   Nothing new to train: the deep autoencoder of lesson 02 (784-256-64-32
//   and back, ReLU in between, a linear code) is trained once, and then its
//   32-number codes are put to work, against two other ways of describing
//   an image: PCA's 32 coordinates and the 784 raw pixels.
//
//       features:   z = f(x) (32)    z = (x − μ) Vᵀ (32)    x (784)
//       task 1:     k-means with k = 10, no labels: do the clusters match
//                   the ten classes?  (cluster purity, and the time taken)
//       task 2:     logistic regression, with labels: how well can ONE
//                   linear layer read the class from the features?
//
// What is new
//   k-means (include/hourglass/nn/kmeans.hpp): k-means++ seeding, Lloyd's
//   iterations with every point-to-centroid distance from one GEMM, cluster
//   purity. The classifier is nn/classifier.hpp's, as in lesson 04.
//
// How to run it
//   scripts/lesson 09_codes                    full run, about 20 s
//   scripts/lesson 09_codes --quick            a few seconds
//   scripts/lesson 09_codes --kmeans-restarts 1
//
// What to look for
//   - The table and features.svg: purity and accuracy per feature set.
//     Every purity is far above the "random clusters" line (≈ 0.11): the
//     features group the classes without ever being shown a label.
//   - A sobering result of a default run: the autoencoder's codes
//     reconstruct far better than PCA's (test error ≈ 0.011 against
//     ≈ 0.015), yet k-means finds *less* pure clusters in them (≈ 0.51
//     against ≈ 0.55 for PCA and for pixels), and the linear classifier
//     reads them no better (≈ 0.79 against ≈ 0.81; ≈ 0.84 on pixels). A
//     code trained only to reconstruct owes nothing to the classes, nor
//     to Euclidean distance: its 32 units have unequal, arbitrary scales,
//     and k-means measures distance as if they were all alike. Lesson 04's
//     sparse codes and lesson 06's VAE codes shape the code space on
//     purpose; here it is whatever reconstruction needed.
//   - The time: k-means on 32 numbers per image runs 16 to 20 times faster
//     than on 784 (≈ 0.4 s against ≈ 6.4 s for three runs in a default
//     run), close to what the 24.5 times fewer multiply-adds predict.
//   - centroids.png: the ten cluster centres as images (rows: pixels' centres,
//     PCA's decoded, the autoencoder's decoded). Bags, trousers, sneakers,
//     boots get clusters of their own; shirts, pullovers and coats share.
//   The figures of a full run are in lessons/README.md.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "hourglass/hourglass.hpp"
#include "hourglass/nn/classifier.hpp"
#include "hourglass/nn/kmeans.hpp"

using hg::Var;

// ---------------------------------------------------------------------------
// The model of lesson 02, written out again so this lesson reads alone:
//   h₁ = relu(W₁ x + b₁), h₂ = relu(W₂ h₁ + b₂), z = W₃ h₂ + b₃
//   g₁ = relu(W₄ z + b₄), g₂ = relu(W₅ g₁ + b₅), x̂ = σ(W₆ g₂ + b₆)
struct DeepAutoencoder {
  std::vector<hg::Linear> encoder, decoder;

  explicit DeepAutoencoder(const std::vector<int>& widths, hg::Rng& rng) {
    const int n = int(widths.size()) - 1;
    encoder.reserve(n);  // layers must not move once Adam points at them
    decoder.reserve(n);
    for (int i = 0; i < n; ++i)
      encoder.emplace_back(widths[i], widths[i + 1], rng,
                           i + 1 < n ? hg::Init::He : hg::Init::Xavier,
                           "enc" + std::to_string(i + 1));
    for (int i = n; i > 0; --i)
      decoder.emplace_back(widths[i], widths[i - 1], rng,
                           i > 1 ? hg::Init::He : hg::Init::Xavier,
                           "dec" + std::to_string(n - i + 1));
  }
  DeepAutoencoder(const DeepAutoencoder&) = delete;

  // x̂ starts at the mean image: b₆ = logit(μ) (lesson 02, step 3).
  void start_at_mean(const hg::Tensor& mu) {
    hg::Tensor& b = decoder.back().b().value;
    for (std::size_t j = 0; j < b.size(); ++j) {
      const float m = std::clamp(mu[j], 0.01f, 0.99f);
      b[j] = std::log(m / (1.0f - m));
    }
  }
  Var encode(Var x) {
    for (std::size_t i = 0; i + 1 < encoder.size(); ++i) x = relu(encoder[i](x));
    return encoder.back()(x);
  }
  Var decode(Var z) {
    for (std::size_t i = 0; i + 1 < decoder.size(); ++i) z = relu(decoder[i](z));
    return sigmoid(decoder.back()(z));
  }
  hg::ParameterList params() {
    hg::ParameterList all;
    for (hg::Linear& l : encoder) all.push_back(&l.W()), all.push_back(&l.b());
    for (hg::Linear& l : decoder) all.push_back(&l.W()), all.push_back(&l.b());
    return all;
  }
};

// Runs `step` (the encoder or the decoder) over the rows of `in` in chunks
// of 500, forward only; returns the stacked outputs.
template <class Step>
hg::Tensor map_rows(const hg::Tensor& in, int out_cols, hg::Tape& tape, Step step) {
  const int N = in.rows(), D = in.cols();
  hg::Tensor out(hg::Shape{N, out_cols}), chunk;
  for (int start = 0; start < N; start += 500) {
    const int B = std::min(500, N - start);
    chunk.resize(hg::Shape{B, D});
    std::copy_n(in.data() + std::size_t(start) * D, std::size_t(B) * D, chunk.data());
    tape.clear();
    Var y = step(tape.input(chunk));
    std::copy(y.value().begin(), y.value().end(),
              out.data() + std::size_t(start) * out_cols);
  }
  return out;
}

// One feature set, and what the two tasks made of it.
struct Features {
  std::string name;
  hg::Tensor train, test;
  double purity = 0, test_purity = 0, random_purity = 0, seconds = 0;
  int iterations = 0;
  double accuracy = 0;
  hg::Tensor centroids = {};
};

// k-means on the training features, timed; purity on the training points
// (the clusters it fitted) and on the test points (each sent to its nearest
// centroid). The "random clusters" purity keeps the cluster sizes but
// shuffles which point is where: what purity says when the clusters know
// nothing about the classes.
void cluster(Features& f, const hg::LessonData& data, int restarts, hg::Rng& rng) {
  const auto t0 = std::chrono::steady_clock::now();
  hg::KMeans km = hg::fit_kmeans(f.train, 10, rng, {.restarts = restarts});
  f.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  f.iterations = km.iterations;
  f.purity = hg::cluster_purity(km.assignments, data.train.labels);
  f.test_purity = hg::cluster_purity(hg::nearest_centroid(f.test, km.centroids),
                                     data.test.labels);
  std::vector<int> shuffled = km.assignments;
  rng.shuffle(shuffled);
  f.random_purity = hg::cluster_purity(shuffled, data.train.labels);
  f.centroids = std::move(km.centroids);
}

int main(int argc, char** argv) {
  int restarts = 3;
  int classifier_epochs = 10;
  hg::LessonInfo info{
      .name = "09_codes",
      .summary = "codes as features: k-means and logistic regression on codes, PCA, pixels",
      .epochs = 10,
      .batch_size = 128,
      .lr = 1e-3f,
      .flags = {hg::flag("kmeans-restarts", &restarts,
                         "k-means++ runs per feature set (the best is kept)", 1, 100),
                hg::flag("classifier-epochs", &classifier_epochs,
                         "epochs of each logistic regression", 1, 1000)}};

  return hg::run_lesson(argc, argv, info, [&](hg::Lesson& lesson) {
    const hg::LessonOptions& opt = lesson.options();
    hg::Rng rng(opt.seed);
    hg::Tape tape;

    // -----------------------------------------------------------------------
    lesson.step(1, "Load Fashion-MNIST");
    hg::LessonData data =
        hg::load_lesson_data(opt.data_dir, opt.synthetic, opt.quick, rng);
    const int pixels = data.train.pixels(), code = 32;
    std::printf("train %d, test %d images%s\n", data.train.size(),
                data.test.size(), data.synthetic ? " (synthetic shapes)" : "");

    // -----------------------------------------------------------------------
    lesson.step(2, "Train the deep autoencoder of lesson 02");
    // Squared error, Adam, the output starting at the mean image. Only the
    // encoder matters from here on: z = f(x) is the feature vector.
    hg::PCA pca = hg::fit_pca(data.train.images, code);
    DeepAutoencoder ae({pixels, 256, 64, code}, rng);
    ae.start_at_mean(pca.mean);
    hg::Adam adam(ae.params(), {.lr = opt.lr});
    hg::Rng batch_rng(opt.seed + 1);
    for (int e = 1; e <= opt.epochs; ++e) {
      hg::ProgressBar bar(e, opt.epochs, data.train.size());
      double sum = 0;
      int seen = 0;
      for (const hg::Batch& batch : hg::batches(data.train, opt.batch_size, batch_rng)) {
        tape.clear();
        Var x = tape.input(batch.images);
        Var loss = mse(ae.decode(ae.encode(x)), x);  // (1/B) Σ ‖x − x̂‖²
        adam.zero_grad();
        tape.backward(loss);
        adam.step();
        sum += double(loss.item()) * batch.size();
        seen += batch.size();
        bar.update(seen, sum / seen);
      }
      bar.finish(sum / seen);
    }
    auto encode = [&](Var x) { return ae.encode(x); };
    auto decode = [&](Var z) { return ae.decode(z); };
    const hg::Tensor test_codes = map_rows(data.test.images, code, tape, encode);
    const double ae_error =
        hg::error_per_pixel(data.test.images, map_rows(test_codes, pixels, tape, decode));
    const double pca_error =
        hg::error_per_pixel(data.test.images, pca.reconstruct(data.test.images));
    hg::Tensor mean_images(data.test.images.shape());  // the "learned nothing" answer
    for (int n = 0; n < data.test.size(); ++n)
      std::copy(pca.mean.begin(), pca.mean.end(),
                mean_images.data() + std::size_t(n) * pixels);
    const double mean_error = hg::error_per_pixel(data.test.images, mean_images);
    std::printf("test error per pixel: autoencoder %.5f, PCA(%d) %.5f, "
                "mean image %.5f\n", ae_error, code, pca_error, mean_error);

    // -----------------------------------------------------------------------
    lesson.step(3, "Three descriptions of every image");
    // The same images as 32 autoencoder numbers, 32 PCA numbers, or 784
    // pixels. PCA keeps distances between images nearly as they were (it
    // drops only the low-variance directions), so k-means should find
    // about the same clusters on it as on pixels, much faster. The
    // autoencoder's code is non-linear: distances in it are its own.
    std::vector<Features> sets(3);
    sets[0] = {.name = "autoencoder codes (32)",
               .train = map_rows(data.train.images, code, tape, encode),
               .test = test_codes};
    sets[1] = {.name = "PCA (32)", .train = pca.encode(data.train.images),
               .test = pca.encode(data.test.images)};
    sets[2] = {.name = "raw pixels (784)", .train = data.train.images,
               .test = data.test.images};

    // -----------------------------------------------------------------------
    lesson.step(4, "k-means with k = 10, no labels");
    // Lloyd's algorithm: assign each point to its nearest centroid, move
    // each centroid to the mean of its points, repeat until nothing moves.
    // The assignment step needs all N × k distances; written as
    //   ‖x − c‖² = ‖x‖² − 2 x·c + ‖c‖²
    // the middle term for all pairs is one GEMM, X·Cᵀ, and its cost is
    // N·k·D: D = 32 against D = 784 is the speed-up to expect per
    // iteration, at least (see the time in the table). Purity: each cluster is named after its most common class;
    // purity is the share of images whose class is their cluster's name.
    hg::Rng km_rng(opt.seed + 2);
    for (Features& f : sets) {
      cluster(f, data, restarts, km_rng);
      std::printf("%-24s purity %.3f (test %.3f, random clusters %.3f), "
                  "%d iterations, %.2f s\n",
                  f.name.c_str(), f.purity, f.test_purity, f.random_purity,
                  f.iterations, f.seconds);
    }
    // The centres as pictures: raw centres are images already; PCA's and
    // the autoencoder's are codes, decoded back to pixels.
    hg::write_png(lesson.out_path("centroids.png"),
                  hg::triples_grid(sets[2].centroids, pca.decode(sets[1].centroids),
                                   map_rows(sets[0].centroids, pixels, tape, decode),
                                   data.train.height, data.train.width, 10, 10,
                                   {.scale = 2}));

    // -----------------------------------------------------------------------
    lesson.step(5, "Logistic regression on each");
    // Now with labels: softmax regression, p = softmax(W f + b), trained
    // with cross-entropy. One linear layer draws flat boundaries only, so
    // its test accuracy says how *linearly* the classes can be read from
    // the features. Pixels have 24.5 times more inputs (and weights) to
    // work with; the question is what 32 numbers keep.
    hg::Rng clf_rng(opt.seed + 3);
    for (Features& f : sets) {
      const hg::ClassifierResult r = hg::train_softmax_classifier(
          f.train, data.train.labels, f.test, data.test.labels, 10, clf_rng,
          {.epochs = classifier_epochs});
      f.accuracy = r.test_accuracy;
      std::printf("%-24s test accuracy %.3f\n", f.name.c_str(), f.accuracy);
    }

    // -----------------------------------------------------------------------
    lesson.step(6, "The table");
    std::printf("\n%-24s %8s %8s %9s %9s\n", "features", "purity", "random",
                "k-means s", "accuracy");
    for (const Features& f : sets)
      std::printf("%-24s %8.3f %8.3f %9.2f %9.3f\n", f.name.c_str(), f.purity,
                  f.random_purity, f.seconds, f.accuracy);
    hg::save_svg(lesson.out_path("features.svg"),
                 hg::BarChart{.title = "Lesson 9: k-means purity (k = 10) and logistic-regression accuracy",
                              .x_label = "features and task",
                              .y_label = "fraction",
                              .heights = {sets[0].purity, sets[1].purity, sets[2].purity,
                                          sets[2].random_purity,
                                          sets[0].accuracy, sets[1].accuracy, sets[2].accuracy},
                              .bar_labels = {"AE purity", "PCA purity", "pixels purity",
                                             "random purity", "AE acc.", "PCA acc.",
                                             "pixels acc."},
                              .edges = {}});
    hg::save_svg(lesson.out_path("kmeans_time.svg"),
                 hg::BarChart{.title = "Lesson 9: k-means time (k = 10)",
                              .x_label = "features",
                              .y_label = "seconds",
                              .heights = {sets[0].seconds, sets[1].seconds, sets[2].seconds},
                              .bar_labels = {"AE codes (32)", "PCA (32)", "pixels (784)"},
                              .edges = {}});

    const char* keys[] = {"ae", "pca", "pixels"};
    lesson.result("mean_image_error", "mean image: test error per pixel", mean_error);
    lesson.result("ae_test_error", "autoencoder: test error per pixel", ae_error);
    lesson.result("pca_test_error", "PCA(32): test error per pixel", pca_error);
    for (std::size_t i = 0; i < sets.size(); ++i) {
      const std::string k = keys[i], name = sets[i].name;
      lesson.result(k + "_purity", name + ": k-means purity (train)", sets[i].purity);
      lesson.result(k + "_test_purity", name + ": purity (test, nearest centroid)",
                    sets[i].test_purity);
      lesson.result(k + "_random_purity", name + ": purity of shuffled clusters",
                    sets[i].random_purity);
      lesson.result(k + "_kmeans_seconds", name + ": k-means seconds", sets[i].seconds);
      lesson.result(k + "_accuracy", name + ": logistic regression test accuracy",
                    sets[i].accuracy);
    }
  });
}
