// Lesson 9 — codes as features
// ============================
//
// What you will build
//   Nothing new to train: lesson 02's deep autoencoder (784-256-64-32 and
//   back, ReLU between, a linear code) is trained once, and its 32-number
//   codes are put to work beside two other descriptions of an image: PCA's
//   32 coordinates and the 784 raw pixels.
//
//       features:   z = f(x) (32)   standardised z (32)   (x − μ) Vᵀ (32)   x (784)
//       task 1:     k-means with k = 10, no labels: do the clusters match
//                   the ten classes? (purity, train and test)
//       task 2:     retrieval: are an image's nearest neighbours of its class?
//       task 3:     logistic regression, with labels: how well can ONE
//                   linear layer read the class from the features?
//
// What is new
//   k-means (include/hourglass/nn/kmeans.hpp): k-means++ seeding, Lloyd's
//   iterations with every point-to-centroid distance from one GEMM, cluster
//   purity. Retrieval by nearest neighbours, scored by precision@10. The
//   classifier is nn/classifier.hpp's, as in lesson 04.
//
// How to run it
//   scripts/lesson 09_codes                      the full run
//   scripts/lesson 09_codes --quick              a few hundred images, seconds
//   scripts/lesson 09_codes --step               pause after each step
//   scripts/lesson 09_codes --resume             continue an interrupted run
//
// What to look for: printed when the run starts (look_for, below) and at the
// top of the lesson's page; a full run's figures are in lessons/README.md.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "common.hpp"
#include "hourglass/hourglass.hpp"
#include "hourglass/nn/classifier.hpp"
#include "hourglass/nn/kmeans.hpp"

using hg::Var;

// ---------------------------------------------------------------------------
// The model of lesson 02, written out again so this lesson reads alone:
//   h₁ = relu(W₁ x + b₁), h₂ = relu(W₂ h₁ + b₂), z = W₃ h₂ + b₃
//   g₁ = relu(W₄ z + b₄), g₂ = relu(W₅ g₁ + b₅), x̂ = σ(W₆ g₂ + b₆)
// trained on squared error, L = ‖x − x̂‖² per image.
struct DeepAutoencoder {
  std::vector<hg::Linear> encoder, decoder;

  DeepAutoencoder(const std::vector<int>& widths, hg::Rng& rng) {
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

  // x̂ starts at the mean image: b₆ = logit(μ) (lesson 02).
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

// One description of every image, and what the tasks made of it.
struct Features {
  std::string key, name;
  hg::Tensor train, test;
  double purity = 0, test_purity = 0, random_purity = 0, seconds = 0;
  double precision = 0, accuracy = 0;
  hg::Tensor centroids = {};
};

// ---------------------------------------------------------------------------
// The steps. Each opens with what it does and what to look for.
struct Settings {
  int code = 32, restarts = 3, classifier_epochs = 10, queries = 1000;
};

hg::LessonData load(hg::Lesson& lesson, hg::Rng& rng) {
  lesson.step(1, "Load Fashion-MNIST",
              "Labels are used only to score the tasks: the autoencoder, PCA "
              "and k-means never see them.");
  return lessons::load_data(lesson, rng);
}

void train_autoencoder(hg::Lesson& lesson, DeepAutoencoder& ae, const hg::PCA& pca,
                       const hg::LessonData& data, const Settings& s) {
  lesson.step(2, "Train the deep autoencoder of lesson 02",
              "Squared error, Adam, the output starting at the mean image. Only "
              "the encoder matters from here on: z = f(x) is the feature "
              "vector. Look at its reconstruction error beside PCA's.");
  const hg::LessonOptions& o = lesson.options();
  ae.start_at_mean(pca.mean);
  hg::Adam adam(ae.params(), {.lr = o.lr});
  lessons::Run run{.name = "autoencoder", .opt = adam, .batch_size = o.batch_size,
                   .rng = hg::Rng(o.seed + 1), .checkpoint = true,
                   .settings = {{"code", std::to_string(s.code)}},
                   .loss = [&](hg::Tape& tape, const hg::Batch& batch) {
                     Var x = tape.input(batch.images);
                     return mse(ae.decode(ae.encode(x)), x);  // (1/B) Σ ‖x − x̂‖²
                   }};
  const lessons::Forward reconstruct = [&](Var x) { return ae.decode(ae.encode(x)); };
  lessons::train(lesson, run, data.train, o.epochs,
                 [&] { return lessons::error_per_pixel(data.validation, reconstruct); });
  const double mean_image = lessons::mean_image_error(data.train, data.test);
  const double pca_error =
      hg::error_per_pixel(data.test.images, pca.reconstruct(data.test.images));
  const double ae_error = lessons::error_per_pixel(data.test, reconstruct);
  std::printf("test error per pixel: autoencoder %.5f, PCA(%d) %.5f, mean image %.5f\n",
              ae_error, s.code, pca_error, mean_image);
  lesson.result("mean_image_error", "mean image: test error per pixel", mean_image);
  lesson.result("ae_test_error", "autoencoder: test error per pixel", ae_error);
  lesson.result("pca_test_error", "PCA(32): test error per pixel", pca_error);
  lessons::warn_if_diverged(lesson, "the autoencoder", ae_error, "mean image", mean_image);
}

// Each column scaled to zero mean and unit variance, with the training
// set's mean and spread (the test set is scaled by the same numbers).
void standardise(hg::Tensor& train, hg::Tensor& test) {
  for (int j = 0; j < train.cols(); ++j) {
    double m = 0, m2 = 0;
    for (int i = 0; i < train.rows(); ++i) {
      m += train.at(i, j) / train.rows();
      m2 += double(train.at(i, j)) * train.at(i, j) / train.rows();
    }
    const double sd = std::sqrt(std::max(m2 - m * m, 1e-12));
    for (hg::Tensor* t : {&train, &test})
      for (int i = 0; i < t->rows(); ++i) t->at(i, j) = float((t->at(i, j) - m) / sd);
  }
}

std::vector<Features> describe(hg::Lesson& lesson, DeepAutoencoder& ae, const hg::PCA& pca,
                               const hg::LessonData& data) {
  lesson.step(3, "Four descriptions of every image",
              "32 autoencoder numbers; the same standardised (each unit to zero "
              "mean and unit variance over the training set, so no unit "
              "dominates distances by its scale alone); 32 PCA numbers; 784 "
              "pixels. PCA keeps distances between images nearly as they were; "
              "the autoencoder's are its own.");
  const lessons::Forward encode = [&](Var x) { return ae.encode(x); };
  std::vector<Features> sets(4);
  sets[0] = {.key = "ae", .name = "autoencoder codes (32)",
             .train = lessons::forward_all(data.train.images, encode),
             .test = lessons::forward_all(data.test.images, encode)};
  sets[1] = {.key = "ae_std", .name = "standardised codes (32)", .train = sets[0].train,
             .test = sets[0].test};
  standardise(sets[1].train, sets[1].test);
  sets[2] = {.key = "pca", .name = "PCA (32)", .train = pca.encode(data.train.images),
             .test = pca.encode(data.test.images)};
  sets[3] = {.key = "pixels", .name = "raw pixels (784)", .train = data.train.images,
             .test = data.test.images};
  return sets;
}

// k-means on the training features, timed; purity on the training points
// (the clusters it fitted) and on the test points (each sent to its nearest
// centroid). The "shuffled clusters" purity keeps the cluster sizes but
// shuffles which point is where: purity when clusters know nothing.
void cluster(hg::Lesson& lesson, std::vector<Features>& sets, const hg::LessonData& data,
             const Settings& s) {
  lesson.step(4, "k-means with k = 10, no labels",
              "Lloyd's algorithm: assign each point to its nearest centroid, move "
              "each centroid to the mean of its points, repeat. All N × k "
              "distances are one GEMM, ‖x‖² − 2 x·c + ‖c‖², costing N·k·D: 32 "
              "numbers against 784 is the speed-up to expect. Purity: each "
              "cluster is named after its most common class; the share of "
              "images carrying their cluster's name, on train and on test.");
  hg::Rng rng(lesson.options().seed + 2);
  for (Features& f : sets) {
    const auto t0 = std::chrono::steady_clock::now();
    hg::KMeans km = hg::fit_kmeans(f.train, 10, rng, {.restarts = s.restarts});
    f.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    f.purity = hg::cluster_purity(km.assignments, data.train.labels);
    f.test_purity = hg::cluster_purity(hg::nearest_centroid(f.test, km.centroids),
                                       data.test.labels);
    std::vector<int> shuffled = km.assignments;
    rng.shuffle(shuffled);
    f.random_purity = hg::cluster_purity(shuffled, data.train.labels);
    f.centroids = std::move(km.centroids);
    std::printf("%-26s purity train %.3f, test %.3f (shuffled %.3f), %d iterations, %.2f s\n",
                f.name.c_str(), f.purity, f.test_purity, f.random_purity, km.iterations,
                f.seconds);
    lesson.result(f.key + "_purity", f.name + ": k-means purity (train)", f.purity);
    lesson.result(f.key + "_test_purity", f.name + ": purity (test, nearest centroid)",
                  f.test_purity);
    lesson.result(f.key + "_random_purity", f.name + ": purity of shuffled clusters",
                  f.random_purity);
    lesson.result(f.key + "_kmeans_seconds", f.name + ": k-means seconds", f.seconds);
  }
}

// For each row q of `queries`, which is row q of `all` too, the k other rows
// of `all` nearest to it, nearest first, by squared distance.
std::vector<std::vector<int>> nearest(const hg::Tensor& queries, const hg::Tensor& all, int k) {
  const hg::Tensor d2 = hg::squared_distances(queries, all);  // (Q, N), one GEMM
  std::vector<std::vector<int>> out(queries.rows());
  std::vector<int> order(all.rows());
  for (int q = 0; q < queries.rows(); ++q) {
    for (int n = 0; n < all.rows(); ++n) order[n] = n;
    auto dist = [&](int n) {
      return n == q ? std::numeric_limits<float>::infinity() : d2.at(q, n);
    };
    std::partial_sort(order.begin(), order.begin() + k, order.end(),
                      [&](int a, int b) { return dist(a) < dist(b); });
    out[q].assign(order.begin(), order.begin() + k);
  }
  return out;
}

// The picture of step 5. Rows: the query | 8 nearest by code | by pixels |
// by PCA, blanks between. `found[set][query]`: the nearest, nearest first.
void draw_retrieval(hg::Lesson& lesson, const std::vector<std::vector<std::vector<int>>>& found,
                    const hg::Dataset& test) {
  const int rows = std::min(8, int(found[0].size())), shown = 8, cols = 1 + 3 * (shown + 1);
  hg::Tensor tiles({rows * cols, test.pixels()}, 0.5f);
  auto put = [&](int r, int c, int image) {
    std::ranges::copy(test.images.row(image), tiles.row(r * cols + c).begin());
  };
  const int by[3] = {0, 3, 2};  // codes, pixels, PCA
  for (int r = 0; r < rows; ++r) {
    put(r, 0, r);
    for (int b = 0; b < 3; ++b)
      for (int i = 0; i < shown; ++i) put(r, 2 + b * (shown + 1) + i, found[by[b]][r][i]);
  }
  hg::write_png(lesson.out_path("retrieval.png"),
                hg::samples_grid(tiles, test.height, test.width, cols, {.scale = 2}));
  lesson.figure("retrieval.png", "each row: a test query, then its 8 nearest test "
                "images by autoencoder code, by pixels, by PCA");
}

void retrieve(hg::Lesson& lesson, std::vector<Features>& sets, const hg::Dataset& test,
              const Settings& s) {
  lesson.step(5, "Retrieval: the nearest test images to a query",
              "Each of the first test images in turn is a query; the other test "
              "images are ranked by distance to it in one description. "
              "precision@10: the share of the 10 nearest with the query's class, "
              "averaged over the queries. Look at which description finds "
              "the query's class, and at what the neighbours have in common.");
  const int Q = std::min(s.queries, test.size() - 1), k = 10;
  std::vector<std::vector<std::vector<int>>> found;  // [set][query][rank]
  for (Features& f : sets) {
    found.push_back(nearest(hg::first_rows(f.test, Q), f.test, k));
    int hits = 0;
    for (int q = 0; q < Q; ++q)
      for (int n : found.back()[q])
        hits += test.labels[std::size_t(n)] == test.labels[std::size_t(q)];
    f.precision = double(hits) / (double(Q) * k);
    std::printf("%-26s precision@10 %.3f (%d queries)\n", f.name.c_str(), f.precision, Q);
    lesson.result("retrieval_" + f.key + "_precision10", f.name + ": precision@10",
                  f.precision);
  }
  lesson.result("retrieval_queries", "retrieval: queries", Q);
  draw_retrieval(lesson, found, test);
}

void classify(hg::Lesson& lesson, std::vector<Features>& sets, const hg::LessonData& data,
              const Settings& s) {
  lesson.step(6, "Logistic regression on each",
              "Now with labels: p = softmax(W f + b), trained with cross-entropy. "
              "One linear layer draws flat boundaries only, so its test accuracy "
              "says how linearly the classes can be read from the features. "
              "Standardising is an invertible affine map: a linear layer could "
              "undo it, so only the training's ease can differ.");
  hg::Rng rng(lesson.options().seed + 3);
  for (Features& f : sets) {
    f.accuracy = hg::train_softmax_classifier(f.train, data.train.labels, f.test,
                                              data.test.labels, 10, rng,
                                              {.epochs = s.classifier_epochs})
                     .test_accuracy;
    std::printf("%-26s test accuracy %.3f\n", f.name.c_str(), f.accuracy);
    lesson.result(f.key + "_accuracy", f.name + ": logistic regression test accuracy",
                  f.accuracy);
  }
}

// The three task scores of every description as bars.
void draw_chart(hg::Lesson& lesson, const std::vector<Features>& sets) {
  hg::BarChart chart{.title = "Lesson 9: k-means purity on the test set (k = 10), "
                              "precision@10, logistic-regression accuracy",
                     .x_label = "features and task", .y_label = "fraction",
                     .heights = {}, .bar_labels = {}, .edges = {}};
  for (const char* task : {"test purity", "prec@10", "accuracy"})
    for (const Features& f : sets) {
      const std::string t = task;
      chart.heights.push_back(t == "test purity" ? f.test_purity
                              : t == "prec@10"   ? f.precision : f.accuracy);
      chart.bar_labels.push_back(f.key + " " + t);
    }
  hg::save_svg(lesson.out_path("features.svg"), chart);
  lesson.figure("features.svg", "per description: k-means purity on the test "
                "set, precision@10, logistic-regression accuracy");
}

void table(hg::Lesson& lesson, const std::vector<Features>& sets, const hg::PCA& pca,
           DeepAutoencoder& ae, const hg::Dataset& test) {
  lesson.step(7, "The table",
              "Every task on every description. Purity is far above the "
              "shuffled-clusters level everywhere: the features group the "
              "classes without a label. Compare the rows: did the autoencoder's "
              "better reconstruction buy better distances?");
  std::vector<std::vector<std::string>> rows;
  for (const Features& f : sets)
    rows.push_back({f.name, hg::cell("%.3f", f.purity), hg::cell("%.3f", f.test_purity),
                    hg::cell("%.3f", f.random_purity), hg::cell("%.2f", f.seconds),
                    hg::cell("%.3f", f.precision), hg::cell("%.3f", f.accuracy)});
  lesson.table("", {"features", "purity", "(test)", "shuffled", "k-means s", "prec@10",
                    "accuracy"}, std::move(rows));
  draw_chart(lesson, sets);
  // The centres as pictures: raw centres are images already; PCA's and the
  // autoencoder's are codes, decoded back to pixels.
  hg::write_png(lesson.out_path("centroids.png"),
                hg::triples_grid(sets[3].centroids, pca.decode(sets[2].centroids),
                                 lessons::forward_all(sets[0].centroids,
                                                      [&](Var z) { return ae.decode(z); }),
                                 test.height, test.width, 10, 10, {.scale = 2}));
  lesson.figure("centroids.png", "the ten k-means centres: pixels', PCA's "
                "decoded, the autoencoder's decoded. Bags, trousers, sneakers, "
                "boots get clusters of their own; shirts, pullovers and coats share");
}

// ---------------------------------------------------------------------------
hg::LessonInfo lesson_info(Settings& s) {
  return {
      .name = "09_codes",
      .summary = "codes as features: k-means, retrieval and logistic regression on "
                 "codes, PCA, pixels",
      .look_for = "The table: k-means purity on the training codes and on test "
                  "codes sent to the nearest centroid, beside the \"shuffled "
                  "clusters\" chance level; precision@10; classifier accuracy. "
                  "An honest result: codes that reconstruct far better than "
                  "PCA's need not cluster, retrieve or classify better, since "
                  "nothing in a reconstruction loss asks distances between "
                  "codes to mean anything; the standardised row asks whether "
                  "the units' unequal scales are what hurts. In retrieval.png, "
                  "a query and its nearest test images by code, by pixels and "
                  "by PCA; in centroids.png, the ten cluster centres as "
                  "images.",
      .epochs = 10, .batch_size = 128, .lr = 1e-3f,
      .flags = {hg::flag("kmeans-restarts", &s.restarts,
                         "k-means++ runs per feature set (the best is kept)", 1, 100),
                hg::flag("classifier-epochs", &s.classifier_epochs,
                         "epochs of each logistic regression", 1, 1000),
                hg::flag("queries", &s.queries, "test images used as retrieval queries",
                         1, 2000)},
      .resumable = true};
}

int main(int argc, char** argv) {
  Settings s;
  return hg::run_lesson(argc, argv, lesson_info(s), [&](hg::Lesson& lesson) {
    hg::Rng rng(lesson.options().seed);
    const hg::LessonData data = load(lesson, rng);
    const hg::PCA pca = hg::fit_pca(data.train.images, s.code);
    DeepAutoencoder ae({data.train.pixels(), 256, 64, s.code}, rng);
    train_autoencoder(lesson, ae, pca, data, s);
    std::vector<Features> sets = describe(lesson, ae, pca, data);
    cluster(lesson, sets, data, s);
    retrieve(lesson, sets, data.test, s);
    classify(lesson, sets, data, s);
    table(lesson, sets, pca, ae, data.test);

    lesson.try_this({
        {"--kmeans-restarts 1", "One k-means++ start: most purities drop, pixels' most."},
        {"--epochs 2",
         "A barely trained model: worse retrieval, yet slightly purer k-means clusters."},
    });
  });
}
