// Lesson 4 — the sparse autoencoder
// =================================
//
// What you will build
//   An autoencoder whose hidden layer is WIDER than the image: 784 pixels in,
//   1000 sigmoid units in the middle, 784 pixels out. With that much room
//   the network could pass the pixels through (lesson 01, step 7); here a
//   penalty stops it: on average over the data, each unit may be "on" only
//   a small fraction ρ of the time.
//
//       h  = σ(W_e x + b_e)                     1000 units, h_j ∈ (0, 1)
//       x̂ = σ(W_d h + b_d)
//       ρ̂_j = (1/B) Σ_i h_ij                   unit j's mean activation
//       L  = ‖x − x̂‖² + β Σ_j KL(ρ ‖ ρ̂_j)     (+ optional weight penalties)
//
// What is new
//   A code made selective by a penalty on its *activity* instead of by its
//   size; KL divergence as that penalty; L1 and L2 penalties on the
//   *weights* for contrast, and why L1 needs a proximal step to give exact
//   zeros; codes put to work as features for a classifier, against pixels
//   and against the unpenalised model's codes.
//
// How to run it
//   scripts/lesson 04_sparse                  the full run
//   scripts/lesson 04_sparse --quick          a few hundred images
//   scripts/lesson 04_sparse --beta 3         enforce ρ harder
//   scripts/lesson 04_sparse --step=batch     stop inside training
//   scripts/lesson 04_sparse --resume         continue an interrupted run
//
// What to look for: printed when the run starts (look_for, below) and at the
// top of the lesson's page; a full run's figures are in lessons/README.md.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <string>
#include <vector>

#include "common.hpp"
#include "hourglass/hourglass.hpp"
#include "hourglass/nn/classifier.hpp"

using hg::Var;

// ---------------------------------------------------------------------------
// The model: the same two layers as lesson 01, only the hidden layer is
// wide. W_e is (hidden, 784): row j is the image unit j responds to.
struct SparseAutoencoder {
  hg::Linear encoder, decoder;
  SparseAutoencoder(int pixels, int hidden, hg::Rng& rng)
      : encoder(pixels, hidden, rng, hg::Init::Xavier, "enc"),
        decoder(hidden, pixels, rng, hg::Init::Xavier, "dec") {}
  Var encode(Var x) { return sigmoid(encoder(x)); }  // h = σ(W_e x + b_e)
  Var decode(Var h) { return sigmoid(decoder(h)); }  // x̂ = σ(W_d h + b_d)
  Var reconstruct(Var x) { return decode(encode(x)); }
  hg::ParameterList params() { return hg::params(encoder, decoder); }
};

// What is added to the reconstruction error, and how strongly.
struct Penalty {
  float beta = 0, rho = 0;  // β weighs the sparsity term (0 = none); ρ: target mean activation
  float l1 = 0, l2 = 0;     // λ₁, λ₂: weights of Σ|W| and ½ Σ W² over both weight matrices
};

// L for one batch, as the equation above. Read unit j as a coin that comes
// up "on" with probability ρ̂_j (its mean over the batch: with B = 128 a fair
// estimate of its mean over the data). KL(ρ ‖ ρ̂) = ρ log(ρ/ρ̂) + (1 − ρ)
// log((1 − ρ)/(1 − ρ̂)) is 0 at ρ̂ = ρ and grows without bound as ρ̂ nears 0
// or 1. Its gradient, −ρ/ρ̂ + (1 − ρ)/(1 − ρ̂), is shared by every image of
// the batch: a unit that fires too often is pushed down on every image, and
// only the images it matters most for keep it on. So each unit can earn its
// few "on"s only by detecting something specific.
//
// The weight penalties act on W, not on activity, so neither limits how
// many units are on for an image:
//   λ₁ Σ|W|   subgradient λ₁·sign(W): a pull of constant size toward 0;
//   λ₂ ½ΣW²   gradient λ₂·W: under plain SGD every weight shrinks by the
//             same fraction per step (weight decay). Under Adam, as here,
//             the term is divided by √v̂ like the rest of the gradient:
//             weights with large data gradients are barely decayed, weights
//             with none are pulled toward 0 (include/hourglass/optim/adam.hpp;
//             AdamW decouples the two). The small default λ₂ does one chore:
//             weights of always-black border pixels get no data gradient and
//             would keep their random start; L2 takes them toward 0.
Var batch_loss(SparseAutoencoder& ae, Var x, const Penalty& p) {
  Var h = ae.encode(x);
  Var loss = mse(ae.decode(h), x);
  if (p.beta > 0) loss = loss + p.beta * kl_sparsity(h, p.rho);
  if (p.l1 > 0 || p.l2 > 0) {
    hg::Tape& tape = x.tape();
    Var We = tape.param(ae.encoder.W()), Wd = tape.param(ae.decoder.W());
    if (p.l1 > 0) loss = loss + p.l1 * (l1_penalty(We) + l1_penalty(Wd));
    if (p.l2 > 0) loss = loss + p.l2 * (l2_penalty(We) + l2_penalty(Wd));
  }
  return loss;
}

// Proximal SGD for λ₁Σ|W| (ISTA): a gradient step on the loss WITHOUT the
// L1 term, then the soft-threshold w ← sign(w)·max(|w| − ηλ₁, 0) on the
// weight matrices: a weight the data does not hold up lands on 0 and stays.
struct ProximalL1SGD : hg::SGD {
  ProximalL1SGD(SparseAutoencoder& ae, float lr, float l1)
      : hg::SGD(ae.params(), {.lr = lr}), ae(ae), l1(l1) {}
  void step() override {
    hg::SGD::step();
    const float t = lr() * l1;
    for (hg::Tensor* W : {&ae.encoder.W().value, &ae.decoder.W().value})
      for (float& w : *W) w = std::copysign(std::max(std::fabs(w) - t, 0.0f), w);
  }
  SparseAutoencoder& ae;
  float l1;
};

hg::Tensor codes(SparseAutoencoder& ae, const hg::Tensor& images) {
  return lessons::forward_all(images, [&](Var x) { return ae.encode(x); });
}
hg::Tensor reconstructions(SparseAutoencoder& ae, const hg::Tensor& images) {
  return lessons::forward_all(images, [&](Var x) { return ae.reconstruct(x); });
}

// ρ̂_j over a whole set: the column means of the codes (N, hidden).
std::vector<double> mean_activations(const hg::Tensor& h) {
  std::vector<double> rho_hat(std::size_t(h.cols()), 0.0);
  for (int i = 0; i < h.rows(); ++i)
    for (int j = 0; j < h.cols(); ++j) rho_hat[std::size_t(j)] += h.at(i, j);
  for (double& r : rho_hat) r /= h.rows();
  return rho_hat;
}

// The fraction of values with v > 0.5 (codes: units clearly "on"), or with
// |v| < `below` (weights: how many are zero, or nearly).
double fraction_on(const hg::Tensor& h) {
  return double(std::count_if(h.begin(), h.end(), [](float v) { return v > 0.5f; })) / h.size();
}
double fraction_small(SparseAutoencoder& ae, float below) {
  std::size_t small = 0, all = 0;
  for (const hg::Tensor* W : {&ae.encoder.W().value, &ae.decoder.W().value}) {
    small += std::count_if(W->begin(), W->end(),
                           [&](float w) { return std::fabs(w) < below; });
    all += W->size();
  }
  return double(small) / double(all);
}

// Counts of the values in `bins` bins over [0, 1], as a line (one point per
// bin centre), so two histograms can share one plot.
hg::Series bin_counts(const std::string& name, const std::vector<double>& values, int bins) {
  hg::Series s{name, {}, std::vector<double>(std::size_t(bins), 0.0)};
  for (int b = 0; b < bins; ++b) s.x.push_back((b + 0.5) / bins);
  for (double v : values) s.y[std::size_t(std::clamp(int(v * bins), 0, bins - 1))] += 1;
  return s;
}

// ---------------------------------------------------------------------------
// The steps.
struct Settings {
  int hidden = 1000, classifier_epochs = 3;
  float rho = 0.05f, beta = 1.0f, l1 = 0.0f, l2 = 1e-3f;
  int l1_hidden = 100;  // step 7's side model (narrow, to keep it short), its λ₁ and SGD rate
  float l1_demo = 1e-3f, l1_sgd_lr = 0.1f;
};

hg::LessonData load(hg::Lesson& lesson, hg::Rng& rng, const Settings& s) {
  lesson.step(1, "Load Fashion-MNIST",
              "The same 55,000 / 5,000 / 10,000 split as every lesson. The "
              "hidden layer will have more units than the image has pixels.");
  hg::LessonData data = lessons::load_data(lesson, rng);
  std::printf("hidden layer %d units for %d pixels\n", s.hidden, data.train.pixels());
  lesson.result("hidden", "hidden units", s.hidden);
  return data;
}

void fit(hg::Lesson& lesson, const std::string& name, SparseAutoencoder& ae,
         hg::Optimizer& opt, const hg::Dataset& train, const Penalty& p, bool checkpoint) {
  const hg::LessonOptions& o = lesson.options();
  lessons::Run run{
      .name = name, .opt = opt, .batch_size = o.batch_size,
      .rng = hg::Rng(o.seed + 1), .checkpoint = checkpoint,  // the same batches for every model
      .settings = {{"hidden", std::to_string(ae.encoder.out_features())},
                   {"beta", std::to_string(p.beta)}, {"rho", std::to_string(p.rho)},
                   {"l1", std::to_string(p.l1)}, {"l2", std::to_string(p.l2)}},
      .loss = [&](hg::Tape& tape, const hg::Batch& b) {
        return batch_loss(ae, tape.input(b.images), p);
      }};
  lessons::train(lesson, run, train, o.epochs);
}

void train_dense(hg::Lesson& lesson, const hg::LessonData& data,
                 SparseAutoencoder& dense, const Settings& s) {
  lesson.step(2, "An over-complete autoencoder with no penalty",
              "The control: 1000 units, loss ‖x − x̂‖² (and the small L2 both models share). "
              "Nothing asks the units to specialise. The sparse model starts from the same "
              "weights and sees the same batches, so every difference below is the penalty's.");
  hg::Adam adam(dense.params(), {.lr = lesson.options().lr});
  fit(lesson, "dense", dense, adam, data.train, {.l1 = s.l1, .l2 = s.l2}, true);
}

void train_sparse(hg::Lesson& lesson, const hg::LessonData& data,
                  SparseAutoencoder& sparse, const Settings& s) {
  lesson.step(3, "Add the sparsity penalty β Σ KL(ρ ‖ ρ̂_j)",
              "ρ = 0.05 means \"on for about 1 image in 20\"; β says how hard "
              "that is enforced against the reconstruction error. Watch the "
              "loss: it now carries the KL term too.");
  lesson.result("rho", "target mean activation ρ", s.rho);
  lesson.result("beta", "sparsity weight β", s.beta);
  hg::Adam adam(sparse.params(), {.lr = lesson.options().lr});
  fit(lesson, "sparse", sparse, adam, data.train,
      {.beta = s.beta, .rho = s.rho, .l1 = s.l1, .l2 = s.l2}, true);
}

// The first 100 rows of W_e of both models, one picture each.
void draw_filters(hg::Lesson& lesson, const hg::Dataset& test, SparseAutoencoder& dense,
                  SparseAutoencoder& sparse) {
  const int shown = std::min(100, dense.encoder.out_features());
  for (auto [file, ae] : {std::pair{"filters_sparse.png", &sparse},
                          std::pair{"filters_dense.png", &dense}})
    hg::write_png(lesson.out_path(file),
                  hg::filter_grid(hg::first_rows(ae->encoder.W().value, shown), test.height,
                                  test.width, 10, hg::FilterScale::Symmetric, {.scale = 2}));
  lesson.figure("filters_sparse.png", "rows of W_e with the penalty (white "
                "excites, black inhibits): many show one part of a garment; "
                "units the data rarely turns on stay grainy");
  lesson.figure("filters_dense.png", "rows of W_e without it: fine patterns "
                "spread over the whole garment area");
}

void how_sparse(hg::Lesson& lesson, const hg::LessonData& data, SparseAutoencoder& dense,
                SparseAutoencoder& sparse, const hg::Tensor& dense_h, const hg::Tensor& sparse_h,
                const Settings& s) {
  lesson.step(4, "How sparse are the codes?",
              "ρ̂_j measured over the whole test set, for each unit, and the "
              "fraction of units clearly on (h > 0.5) for an image. Look for "
              "the penalised units piling up near ρ.");
  const std::vector<double> dense_rho = mean_activations(dense_h);
  const std::vector<double> sparse_rho = mean_activations(sparse_h);
  auto average = [](auto& v) { return std::accumulate(v.begin(), v.end(), 0.0) / v.size(); };
  const double dense_mean = average(dense_rho), sparse_mean = average(sparse_rho);
  const double dense_on = fraction_on(dense_h), sparse_on = fraction_on(sparse_h);
  std::printf("mean activation: no penalty %.4f, β = %g: %.4f (target ρ = %g)\n",
              dense_mean, s.beta, sparse_mean, s.rho);
  std::printf("units clearly on (h > 0.5) per image: no penalty %.1f%%, sparse "
              "%.1f%%\n", 100 * dense_on, 100 * sparse_on);
  lesson.result("dense_mean_activation", "no penalty: mean activation", dense_mean);
  lesson.result("sparse_mean_activation", "sparse: mean activation", sparse_mean);
  lesson.result("sparse_rho_off", "sparse: |mean activation − ρ| / ρ",
                std::fabs(sparse_mean - s.rho) / s.rho);
  lesson.result("dense_on_fraction", "no penalty: fraction of h > 0.5", dense_on);
  lesson.result("sparse_on_fraction", "sparse: fraction of h > 0.5", sparse_on);
  hg::save_svg(lesson.out_path("activations.svg"),
               hg::LinePlot{.title = "Lesson 4: units by mean activation on the test set",
                            .x_label = "mean activation ρ̂_j", .y_label = "number of units",
                            .series = {bin_counts("no penalty", dense_rho, 50),
                                       bin_counts("β·KL(ρ‖ρ̂)", sparse_rho, 50)}});
  lesson.figure("activations.svg", "units by mean activation: spread out "
                "without the penalty, piled up near ρ with it");
  draw_filters(lesson, data.test, dense, sparse);
}

// Returns the mean image's test error: the baseline every model must beat.
double cost(hg::Lesson& lesson, const hg::LessonData& data, SparseAutoencoder& dense,
            SparseAutoencoder& sparse) {
  const hg::Tensor& test = data.test.images;
  lesson.step(5, "What does sparsity cost in reconstruction?",
              "The penalty trades reconstruction for selectivity: a few units "
              "on per image instead of many mixed softly.");
  const hg::Tensor dense_x = reconstructions(dense, test),
                   sparse_x = reconstructions(sparse, test);
  const double dense_error = hg::error_per_pixel(test, dense_x);
  const double sparse_error = hg::error_per_pixel(test, sparse_x);
  const double baseline = lessons::mean_image_error(data.train, data.test);
  std::printf("test error per pixel: no penalty %.5f, sparse %.5f, the mean "
              "image %.5f\n", dense_error, sparse_error, baseline);
  lesson.result("mean_image_error", "the mean image: test error per pixel", baseline);
  lesson.result("dense_test_error", "no penalty: test error per pixel", dense_error);
  lesson.result("sparse_test_error", "sparse: test error per pixel", sparse_error);
  lessons::warn_if_diverged(lesson, "the unpenalised model", dense_error, "mean image",
                            baseline);
  lessons::warn_if_diverged(lesson, "the sparse model", sparse_error, "mean image", baseline);
  const int shown = std::min(12, data.test.size());
  hg::write_png(lesson.out_path("reconstructions.png"),
                hg::triples_grid(test, dense_x, sparse_x, data.test.height,
                                 data.test.width, shown, shown, {.scale = 2}));
  lesson.figure("reconstructions.png", "test images, the unpenalised model, "
                "the sparse one (blurrier: the price of sparsity)");
  return baseline;
}

void classifiers(hg::Lesson& lesson, const hg::LessonData& data, SparseAutoencoder& dense,
                 SparseAutoencoder& sparse, const hg::Tensor& dense_h, const hg::Tensor& sparse_h,
                 const Settings& s) {
  lesson.step(6, "Codes as features: pixels, dense codes, sparse codes",
              "Softmax regression (one linear layer, nn/classifier.hpp) measures how linearly "
              "readable the ten classes are from the features. Trained the same way on the "
              "pixels, on the unpenalised model's 1000-unit codes and on the sparse ones: the "
              "dense row is the control that says what sparsity adds beyond having 1000 "
              "features.");
  const hg::ClassifierOptions clf{.epochs = s.classifier_epochs,
                                  .batch_size = lesson.options().batch_size};
  const int classes = int(data.train.class_names.size());
  auto accuracy = [&](const hg::Tensor& train_f, const hg::Tensor& test_f) {
    hg::Rng rng(lesson.options().seed + 2);  // the same start for all three
    return hg::train_softmax_classifier(train_f, data.train.labels, test_f, data.test.labels,
                                        classes, rng, clf).test_accuracy;
  };
  const double pixels = accuracy(data.train.images, data.test.images);
  const double dense_acc = accuracy(codes(dense, data.train.images), dense_h),
               sparse_acc = accuracy(codes(sparse, data.train.images), sparse_h);
  std::printf("test accuracy: pixels %.2f%%, dense codes %.2f%%, sparse codes "
              "%.2f%%\n", 100 * pixels, 100 * dense_acc, 100 * sparse_acc);
  lesson.result("pixels_accuracy", "softmax on pixels: test accuracy", pixels);
  lesson.result("dense_codes_accuracy", "softmax on dense codes: test accuracy", dense_acc);
  lesson.result("codes_accuracy", "softmax on sparse codes: test accuracy", sparse_acc);
}

void l1_exact_zeros(hg::Lesson& lesson, const hg::LessonData& data, const Settings& s,
                    hg::Rng& rng, double baseline) {
  lesson.step(7, "L1 on the weights: a subgradient never lands on 0",
              "A narrow side model trained twice from one start with SGD and λ₁Σ|W|: once with "
              "the subgradient λ₁·sign(w) in the loss, once with a soft-threshold after each "
              "step (proximal SGD). Count the weights with |w| < 1e-6: the subgradient moves a "
              "weight by ηλ₁ toward 0 however close it is, so near 0 it jumps over and back "
              "and leaves weights near 0 but almost none at 0; the threshold sets them to "
              "exactly 0. (Adam with L1 in the loss oscillates the same way, in steps of about "
              "η.)");
  const SparseAutoencoder start(data.train.pixels(), s.l1_hidden, rng);
  SparseAutoencoder sub = start, prox = start;
  hg::SGD sgd(sub.params(), {.lr = s.l1_sgd_lr});
  fit(lesson, "l1_subgradient", sub, sgd, data.train, {.l1 = s.l1_demo}, false);
  ProximalL1SGD ista(prox, s.l1_sgd_lr, s.l1_demo);
  fit(lesson, "l1_proximal", prox, ista, data.train, {}, false);  // λ₁ in the step
  const struct { const char *name, *key; SparseAutoencoder* ae; } runs[] = {
      {"subgradient", "l1_subgradient", &sub}, {"soft-threshold", "l1_proximal", &prox}};
  std::vector<std::vector<std::string>> rows;
  for (const auto& run : runs) {
    const double zero = fraction_small(*run.ae, 1e-6f), small = fraction_small(*run.ae, 1e-3f);
    const double error = lessons::error_per_pixel(
        data.test, [&](Var x) { return run.ae->reconstruct(x); });
    const std::string key = run.key, label = std::string("L1 ") + run.name;
    lesson.result(key + "_zero_fraction", label + ": weights |w| < 1e-6", zero);
    lesson.result(key + "_small_fraction", label + ": weights |w| < 1e-3", small);
    lesson.result(key + "_test_error", label + ": test error per pixel", error);
    lessons::warn_if_diverged(lesson, "the " + label + " run", error, "mean image", baseline);
    rows.push_back({run.name, hg::cell("%.2f", 100 * zero), hg::cell("%.2f", 100 * small),
                    hg::cell("%.5f", error)});
  }
  lesson.table("share of the weights near 0, and the test error per pixel",
               {"", "|w| < 1e-6, %", "|w| < 1e-3, %", "test error"}, std::move(rows));
}

// ---------------------------------------------------------------------------
hg::LessonInfo lesson_info(Settings& s) {
  return {
      .name = "04_sparse",
      .summary = "the sparse autoencoder: 1000 units, L = ‖x − x̂‖² + β Σ KL(ρ ‖ ρ̂_j)",
      .look_for = "In activations.svg, without the penalty the units' mean activations are "
                  "spread out; with it they pile up near ρ. In filters_sparse.png against "
                  "filters_dense.png, with the penalty many filters show one piece of a "
                  "garment; without it each is a fine pattern spread over the whole garment. "
                  "In reconstructions.png the sparse model is blurrier: the price. The "
                  "classifier table: whether sparsity is what helps is read from its last two "
                  "rows. L1 on the weights: the subgradient leaves them hovering near 0, the "
                  "soft-threshold step sets them to exactly 0.",
      .epochs = 3, .batch_size = 128, .lr = 3e-3f,
      .flags = {hg::flag("hidden", &s.hidden, "units in the hidden layer", 1, 4096),
                hg::flag("rho", &s.rho, "target mean activation ρ", 1e-4, 0.9999),
                hg::flag("beta", &s.beta, "weight β of the sparsity penalty", 0, 1e4),
                hg::flag("l1", &s.l1, "weight λ₁ of the L1 weight penalty Σ|W|", 0, 10),
                hg::flag("l2", &s.l2, "weight λ₂ of the L2 weight penalty ½ΣW²", 0, 10),
                hg::flag("classifier-epochs", &s.classifier_epochs,
                         "epochs of the softmax classifiers (step 6)", 1, 1000),
                hg::flag("l1-demo", &s.l1_demo, "λ₁ of step 7's two SGD runs", 0, 10)},
      .resumable = true};
}

int main(int argc, char** argv) {
  Settings s;
  return hg::run_lesson(argc, argv, lesson_info(s), [&](hg::Lesson& lesson) {
    hg::Rng rng(lesson.options().seed);
    const hg::LessonData data = load(lesson, rng, s);
    SparseAutoencoder dense(data.train.pixels(), s.hidden, rng);
    SparseAutoencoder sparse = dense;  // same initial weights
    train_dense(lesson, data, dense, s);
    train_sparse(lesson, data, sparse, s);
    // Both models' codes of the test images, (N, hidden): steps 4 and 6 read them.
    const hg::Tensor dense_h = codes(dense, data.test.images);
    const hg::Tensor sparse_h = codes(sparse, data.test.images);
    how_sparse(lesson, data, dense, sparse, dense_h, sparse_h, s);
    const double baseline = cost(lesson, data, dense, sparse);
    classifiers(lesson, data, dense, sparse, dense_h, sparse_h, s);
    l1_exact_zeros(lesson, data, s, rng, baseline);
    lesson.step(8, "The numbers", "Everything measured on the test set.");
    lesson.try_this({
        {"--beta 0", "No penalty: every \"sparse\" figure equals its \"no penalty\" twin."},
        {"--beta 3",
         "Mean activation almost at ρ, higher error, codes classify worse than at β = 1."},
        {"--l1-demo 3e-3",
         "Stronger L1: many exact zeros with the soft-threshold, almost none without."},
    });
  });
}
