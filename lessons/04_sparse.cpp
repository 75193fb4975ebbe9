// Lesson 4 — the sparse autoencoder
// =================================
//
// What you will build
//   An autoencoder whose hidden layer is WIDER than the image: 784 pixels in,
//   1000 sigmoid units in the middle, 784 pixels out. With that much room
//   the network could pass the pixels through (lesson 01, step 6); here a
//   penalty stops it: on average over the data, each unit may be "on" only
//   a small fraction ρ of the time.
//
//       h  = σ(W_e x + b_e)                     1000 units, h_j ∈ (0, 1)
//       x̂ = σ(W_d h + b_d)
//       ρ̂_j = (1/B) Σ_i h_ij                   unit j's mean activation
//       L  = ‖x − x̂‖² + β Σ_j KL(ρ ‖ ρ̂_j)     (+ optional weight penalties)
//
// What is new
//   The code is made selective by a penalty on its *activity* instead of by
//   its size; KL divergence as that penalty; L1 and L2 penalties on the
//   *weights* for contrast (flags); and the codes put to work as features
//   for a classifier (softmax regression), against raw pixels.
//
// How to run it
//   scripts/lesson 04_sparse                  full run, about 25 s
//   scripts/lesson 04_sparse --quick          a few seconds, fewer samples
//   scripts/lesson 04_sparse --beta 3         enforce ρ harder
//   scripts/lesson 04_sparse --l2 0 --l1 1e-3 L1 instead of L2 on the weights
//
// What to look for
//   - activations.svg: without the penalty the units' mean activations are
//     spread out, with it they pile up near ρ. The table gives the measured
//     mean against ρ.
//   - filters_sparse.png against filters_dense.png: with the penalty many
//     rows of W_e show one piece of a garment (a sole, a sleeve, a trouser
//     leg, a collar edge); units the data rarely turns on stay grainy.
//     Without it every filter is a fine, noise-like pattern spread over the
//     whole garment area: each unit sees a bit of everything.
//   - reconstructions.png: originals, then the unpenalised model, then the
//     sparse one (blurrier: the price of sparsity).
//   - The classifier reads the classes better from the sparse codes than
//     from the pixels (85% against 83% in the default run).
//   The figures of a full run are in lessons/README.md.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

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

  hg::ParameterList params() { return hg::params(encoder, decoder); }
};

// What is added to the reconstruction error, and how strongly.
struct Penalty {
  float beta = 0;  // β: weight of the sparsity term (0 = none)
  float rho = 0;   // ρ: target mean activation
  float l1 = 0;    // λ₁: weight of Σ|W| over both weight matrices
  float l2 = 0;    // λ₂: weight of ½ Σ W² over both weight matrices
};

// L for one batch, written exactly as the equation above. The KL term sees
// the batch's h, so ρ̂ is estimated from these B images: with B = 128 that
// is a fair estimate of the mean over the whole data set.
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

// One pass over the training set, as in lesson 01. Returns the mean loss.
double train_epoch(SparseAutoencoder& ae, hg::Optimizer& opt,
                   const hg::Dataset& train, int batch_size, hg::Rng& rng,
                   hg::Tape& tape, const Penalty& penalty, int epoch,
                   int epochs) {
  hg::ProgressBar bar(epoch, epochs, train.size());
  double loss_sum = 0;
  int seen = 0;
  for (const hg::Batch& batch : hg::batches(train, batch_size, rng)) {
    tape.clear();
    Var loss = batch_loss(ae, tape.input(batch.images), penalty);
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

// The codes h (N, hidden) and reconstructions x̂ (N, 784) of every image,
// forward only, in batches of 500.
struct Outputs {
  hg::Tensor codes, reconstructions;
};
Outputs run_all(SparseAutoencoder& ae, const hg::Dataset& data, hg::Tape& tape) {
  const int hidden = ae.encoder.out_features();
  Outputs out{hg::Tensor(hg::Shape{data.size(), hidden}),
              hg::Tensor(data.images.shape())};
  std::size_t at_h = 0, at_x = 0;
  hg::Batches eval(data, 500);
  for (const hg::Batch& batch : eval) {
    tape.clear();
    Var h = ae.encode(tape.input(batch.images));
    Var xh = ae.decode(h);
    std::copy(h.value().begin(), h.value().end(), out.codes.begin() + at_h);
    std::copy(xh.value().begin(), xh.value().end(),
              out.reconstructions.begin() + at_x);
    at_h += h.value().size();
    at_x += xh.value().size();
  }
  return out;
}

// ρ̂_j over a whole set: the column means of the codes (N, hidden).
std::vector<double> mean_activations(const hg::Tensor& codes) {
  std::vector<double> rho_hat(static_cast<std::size_t>(codes.cols()), 0.0);
  for (int i = 0; i < codes.rows(); ++i)
    for (int j = 0; j < codes.cols(); ++j)
      rho_hat[static_cast<std::size_t>(j)] += codes.at(i, j);
  for (double& r : rho_hat) r /= codes.rows();
  return rho_hat;
}

// The laziest answer: the average training image, whatever the input. A
// model that learned nothing scores about this.
double mean_image_error(const hg::Dataset& train, const hg::Dataset& test) {
  hg::Tensor mean_image(hg::Shape{1, train.pixels()});
  for (int i = 0; i < train.size(); ++i)
    for (int p = 0; p < train.pixels(); ++p) mean_image[p] += train.images.at(i, p);
  for (float& v : mean_image) v /= static_cast<float>(train.size());
  double sum = 0;
  for (int i = 0; i < test.size(); ++i)
    for (int p = 0; p < test.pixels(); ++p) {
      const double d = test.images.at(i, p) - mean_image[p];
      sum += d * d;
    }
  return sum / static_cast<double>(test.images.size());
}

double average(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return v.empty() ? 0 : s / static_cast<double>(v.size());
}

// The fraction of (image, unit) pairs with h > 0.5: how many units are
// clearly "on" for a typical image.
double fraction_on(const hg::Tensor& codes) {
  std::size_t on = 0;
  for (float v : codes) on += v > 0.5f ? 1 : 0;
  return static_cast<double>(on) / static_cast<double>(codes.size());
}

// Counts of the values in `bins` bins over [0, 1], as a line: one point per
// bin centre, so two histograms can share one plot.
hg::Series histogram_line(const std::string& name,
                          const std::vector<double>& values, int bins) {
  hg::Series s{name, {}, std::vector<double>(static_cast<std::size_t>(bins), 0.0)};
  for (int b = 0; b < bins; ++b) s.x.push_back((b + 0.5) / bins);
  for (double v : values) {
    const int b = std::clamp(static_cast<int>(v * bins), 0, bins - 1);
    s.y[static_cast<std::size_t>(b)] += 1;
  }
  return s;
}

int main(int argc, char** argv) {
  int hidden = 1000;
  float rho = 0.05f, beta = 1.0f, l1 = 0.0f, l2 = 1e-3f;
  int classifier_epochs = 3;
  hg::LessonInfo info{
      .name = "04_sparse",
      .summary = "the sparse autoencoder: 1000 units, L = ‖x − x̂‖² + β Σ KL(ρ ‖ ρ̂_j)",
      .epochs = 3,
      .batch_size = 128,
      .lr = 3e-3f,
      .flags = {hg::flag("hidden", &hidden, "units in the hidden layer", 1, 4096),
                hg::flag("rho", &rho, "target mean activation ρ", 1e-4, 0.9999),
                hg::flag("beta", &beta, "weight β of the sparsity penalty", 0, 1e4),
                hg::flag("l1", &l1, "weight λ₁ of the L1 weight penalty Σ|W|", 0, 10),
                hg::flag("l2", &l2, "weight λ₂ of the L2 weight penalty ½ΣW²", 0, 10),
                hg::flag("classifier-epochs", &classifier_epochs,
                         "epochs of the softmax classifiers (step 6)", 1, 1000)}};

  return hg::run_lesson(argc, argv, info, [&](hg::Lesson& lesson) {
    const hg::LessonOptions& opt = lesson.options();
    hg::Rng rng(opt.seed);
    hg::Tape tape;

    // -----------------------------------------------------------------------
    lesson.step(1, "Load Fashion-MNIST");
    // The same 55,000 / 5,000 / 10,000 split as every lesson.
    hg::LessonData data =
        hg::load_lesson_data(opt.data_dir, opt.synthetic, opt.quick, rng);
    const int pixels = data.train.pixels();
    const int H = data.test.height, W = data.test.width;
    std::printf("train %d, validation %d, test %d images%s; hidden layer %d "
                "units for %d pixels\n",
                data.train.size(), data.validation.size(), data.test.size(),
                data.synthetic ? " (synthetic shapes)" : "", hidden, pixels);

    // -----------------------------------------------------------------------
    lesson.step(2, "An over-complete autoencoder with no penalty");
    // First the control: 1000 units, loss ‖x − x̂‖² only. Nothing asks the
    // units to specialise; each one mixes a bit of every pixel, and many sit
    // half-on for every image. Both models start from the same weights and
    // see the same batches, so every difference below is the penalty's.
    SparseAutoencoder dense(pixels, hidden, rng);
    SparseAutoencoder sparse = dense;  // same initial weights
    hg::Adam dense_opt(dense.params(), {.lr = opt.lr});
    hg::Rng dense_rng(opt.seed + 1), sparse_rng(opt.seed + 1);
    const Penalty none{.l1 = l1, .l2 = l2};
    for (int e = 1; e <= opt.epochs; ++e)
      train_epoch(dense, dense_opt, data.train, opt.batch_size, dense_rng, tape,
                  none, e, opt.epochs);

    // -----------------------------------------------------------------------
    lesson.step(3, "Add the sparsity penalty β Σ KL(ρ ‖ ρ̂_j)");
    // Read unit j's activation as a coin that comes up "on" with
    // probability ρ̂_j (its mean over the batch). The Kullback–Leibler
    // divergence between a coin of bias ρ and one of bias ρ̂,
    //   KL(ρ ‖ ρ̂) = ρ log(ρ/ρ̂) + (1 − ρ) log((1 − ρ)/(1 − ρ̂)),
    // is 0 when ρ̂ = ρ, convex in ρ̂, and grows without bound as ρ̂ goes to
    // 0 or 1 (ρ = 0.05: KL(ρ‖0.25) ≈ 0.14, KL(ρ‖0.01) ≈ 0.04). Its gradient, −ρ/ρ̂ + (1 − ρ)/(1 − ρ̂),
    // is shared by every image of the batch: a unit that fires too often is
    // pushed down on every image, and the images it matters most for keep
    // it on. The result: each image lights up a few units, each unit
    // answers to few images, and a unit can only earn its few "on"s by
    // detecting something specific.
    //   ρ  the target: 0.05 means "on for about 1 image in 20".
    //   β  how hard the target is enforced against the reconstruction
    //      error; too small and ρ̂ drifts up, too large and the units stop
    //      carrying information (all sit at exactly ρ, whatever the image).
    // This is a penalty on ACTIVITY. The L1 and L2 penalties (flags --l1,
    // --l2) act on the WEIGHTS instead:
    //   λ₁ Σ|W|  gradient λ₁·sign(W): a constant pull that drives small
    //            weights to exactly 0 (sparse filters, few pixels each);
    //   λ₂ ½ΣW²  gradient λ₂·W: shrinks every weight in proportion, so
    //            weights get small but rarely exactly 0 (weight decay).
    // Neither limits how many units are on for an image, which is what
    // makes a wide code selective. A small L2 (λ₂ = 1e-3, on by default,
    // the same for both models) does one useful chore here: a weight whose
    // pixel is always black (the image border) gets no gradient from the
    // data and would keep its random starting value forever; L2 is the only
    // force on it and takes it to 0, so the filters show what was learned,
    // not what was drawn at initialisation.
    hg::Adam sparse_opt(sparse.params(), {.lr = opt.lr});
    const Penalty kl{.beta = beta, .rho = rho, .l1 = l1, .l2 = l2};
    for (int e = 1; e <= opt.epochs; ++e)
      train_epoch(sparse, sparse_opt, data.train, opt.batch_size, sparse_rng,
                  tape, kl, e, opt.epochs);

    // -----------------------------------------------------------------------
    lesson.step(4, "How sparse are the codes?");
    // ρ̂_j measured over the whole test set, for each of the 1000 units.
    const Outputs dense_test = run_all(dense, data.test, tape);
    const Outputs sparse_test = run_all(sparse, data.test, tape);
    const std::vector<double> dense_rho = mean_activations(dense_test.codes);
    const std::vector<double> sparse_rho = mean_activations(sparse_test.codes);
    const double dense_mean = average(dense_rho), sparse_mean = average(sparse_rho);
    std::printf("mean activation over units and test images: no penalty %.4f, "
                "β = %g: %.4f (target ρ = %g, off by %.0f%%)\n",
                dense_mean, beta, sparse_mean, rho,
                100 * std::fabs(sparse_mean - rho) / rho);
    std::printf("units clearly on (h > 0.5) per image: no penalty %.1f%%, "
                "sparse %.1f%%\n",
                100 * fraction_on(dense_test.codes),
                100 * fraction_on(sparse_test.codes));
    hg::save_svg(lesson.out_path("activations.svg"),
                 hg::LinePlot{.title = "Lesson 4: units by mean activation on the test set",
                              .x_label = "mean activation ρ̂_j",
                              .y_label = "number of units",
                              .series = {histogram_line("no penalty", dense_rho, 50),
                                         histogram_line("β·KL(ρ‖ρ̂)", sparse_rho, 50)}});

    // Rows of W_e as 28 × 28 pictures, the first 100 units of each model.
    // Each is scaled on its own, 0 at mid-gray: white pixels excite the
    // unit, black ones inhibit it.
    const int shown_filters = std::min(100, hidden);
    auto first_rows = [&](const hg::Tensor& Wt) {
      hg::Tensor rows(hg::Shape{shown_filters, Wt.cols()});
      std::copy_n(Wt.data(), rows.size(), rows.data());
      return rows;
    };
    hg::write_png(lesson.out_path("filters_sparse.png"),
                  hg::filter_grid(first_rows(sparse.encoder.W().value), H, W, 10,
                                  hg::FilterScale::Symmetric, {.scale = 2}));
    hg::write_png(lesson.out_path("filters_dense.png"),
                  hg::filter_grid(first_rows(dense.encoder.W().value), H, W, 10,
                                  hg::FilterScale::Symmetric, {.scale = 2}));

    // -----------------------------------------------------------------------
    lesson.step(5, "What does sparsity cost in reconstruction?");
    // The penalty trades some reconstruction for selectivity: in the
    // default run about 1% of the units are clearly on (h > 0.5) for an
    // image, a dozen parts, where the unpenalised model has a third of
    // all 1000 on and mixes them softly.
    const double dense_error =
        hg::error_per_pixel(data.test.images, dense_test.reconstructions);
    const double sparse_error =
        hg::error_per_pixel(data.test.images, sparse_test.reconstructions);
    const double baseline = mean_image_error(data.train, data.test);
    std::printf("test error per pixel: no penalty %.5f, sparse %.5f, the mean "
                "image %.5f\n",
                dense_error, sparse_error, baseline);
    const int shown = std::min(12, data.test.size());
    hg::write_png(lesson.out_path("reconstructions.png"),
                  hg::triples_grid(data.test.images, dense_test.reconstructions,
                                   sparse_test.reconstructions, H, W, shown,
                                   shown, {.scale = 2}));

    // -----------------------------------------------------------------------
    lesson.step(6, "Codes as features: a classifier on codes and on pixels");
    // Softmax regression z = W f + b, p = softmax(z), L = −log p_y (see
    // nn/classifier.hpp): one linear layer, so it measures how linearly
    // readable the ten classes are from the features f. Trained the same
    // way on the raw pixels (784 numbers) and on the sparse codes (1000
    // numbers, computed once by the trained encoder, then fixed).
    const hg::ClassifierOptions clf{.epochs = classifier_epochs,
                                    .batch_size = opt.batch_size};
    const int classes = static_cast<int>(data.train.class_names.size());
    hg::Rng clf_rng(opt.seed + 2);
    const hg::ClassifierResult on_pixels = hg::train_softmax_classifier(
        data.train.images, data.train.labels, data.test.images, data.test.labels,
        classes, clf_rng, clf);
    const hg::Tensor train_codes = run_all(sparse, data.train, tape).codes;
    const hg::ClassifierResult on_codes = hg::train_softmax_classifier(
        train_codes, data.train.labels, sparse_test.codes, data.test.labels,
        classes, clf_rng, clf);
    std::printf("test accuracy: pixels %.2f%%, sparse codes %.2f%%\n",
                100 * on_pixels.test_accuracy, 100 * on_codes.test_accuracy);

    // -----------------------------------------------------------------------
    lesson.step(7, "The numbers");
    lesson.result("hidden", "hidden units", hidden);
    lesson.result("rho", "target mean activation ρ", rho);
    lesson.result("beta", "sparsity weight β", beta);
    lesson.result("dense_mean_activation", "no penalty: mean activation",
                  dense_mean);
    lesson.result("sparse_mean_activation", "sparse: mean activation",
                  sparse_mean);
    lesson.result("sparse_rho_off", "sparse: |mean activation − ρ| / ρ",
                  std::fabs(sparse_mean - rho) / rho);
    lesson.result("dense_on_fraction", "no penalty: fraction of h > 0.5",
                  fraction_on(dense_test.codes));
    lesson.result("sparse_on_fraction", "sparse: fraction of h > 0.5",
                  fraction_on(sparse_test.codes));
    lesson.result("mean_image_error", "the mean image: test error per pixel",
                  baseline);
    lesson.result("dense_test_error", "no penalty: test error per pixel",
                  dense_error);
    lesson.result("sparse_test_error", "sparse: test error per pixel",
                  sparse_error);
    lesson.result("pixels_accuracy", "softmax on pixels: test accuracy",
                  on_pixels.test_accuracy);
    lesson.result("codes_accuracy", "softmax on sparse codes: test accuracy",
                  on_codes.test_accuracy);
  });
}
