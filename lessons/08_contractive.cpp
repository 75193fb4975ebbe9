// Lesson 8 — the contractive autoencoder
// ======================================
//
// What you will build
//   The sigmoid autoencoder of lesson 01, trained with one more term: a
//   penalty on how much the code moves when the input moves.
//
//       h  = f(x) = σ(W_e x + b_e)                 encoder: 784 → 64
//       x̂ = σ(W_d h + b_d)                        decoder: 64 → 784
//       L  = ‖x − x̂‖² + λ ‖J_f(x)‖²_F             J_f = ∂h/∂x, (64, 784)
//
//   J_f(x) is the encoder's Jacobian at x: column i says how the whole code
//   moves when pixel i moves. Its squared Frobenius norm, the sum of all
//   64 × 784 squared entries, measures the code's sensitivity in every
//   direction at once. For one sigmoid layer it needs no big matrix:
//
//       J_ji = h_j (1 − h_j) W_ji   ⇒   ‖J‖²_F = Σ_j (h_j (1 − h_j))² Σ_i W_ji²
//
//   (Rifai, Vincent, Muller, Glorot & Bengio, "Contractive Auto-Encoders:
//   Explicit Invariance During Feature Extraction", ICML 2011.) The op is
//   hg::contractive_penalty in include/hourglass/nn/contractive.hpp, with its
//   backward under it and a test against a finite-difference Jacobian.
//
// What is new
//   A penalty on a *derivative* of the model rather than on its outputs or
//   weights. The two terms pull against each other: reconstruction wants
//   the code to tell images apart (to move when x moves), the penalty wants
//   it to stay put. The compromise is a code that moves only along the
//   directions in which the training images actually vary (the "manifold"
//   of clothes) and ignores the rest: noise, tiny shifts of ink that no
//   real image makes. Lesson 05 got robustness by training on corrupted
//   inputs; here it is asked for analytically, with no noise sampled.
//
// How to run it
//   scripts/lesson 08_contractive                full run, about 10 s
//   scripts/lesson 08_contractive --quick        a few seconds
//   scripts/lesson 08_contractive --lambda 1     contract harder
//
// What to look for
//   - The table: with λ = 2 the encoder's Jacobian is about six times
//     smaller than the plain model's (‖J‖_F ≈ 0.85 against ≈ 5.3 in a
//     default run), and the measured code displacement shrinks by the same
//     factor; the price is a test error per pixel of ≈ 0.0145 against
//     ≈ 0.0116.
//   - sensitivity.svg: ‖f(x + δ) − f(x)‖ against ‖δ‖ for both models, on
//     log axes. Two parallel lines of slope 1 (the linear regime,
//     f(x + δ) − f(x) ≈ J δ), the contractive one lower by that factor;
//     only for δ as large as an image (‖δ‖ ≈ 10) do the sigmoids saturate
//     and the plain curve bend.
//   - The contraction is not uniform, and that is the point. Along data
//     directions (toward another test image) the contractive code moves
//     only about half as much as the plain one, against six times less in
//     random directions: relative to noise, it follows real changes ≈ 4.4
//     times more, the plain code ≈ 1.5 times.
//   - The measured ratio ‖Δh‖/‖δ‖ for small random δ equals ‖J‖_F / √784
//     to a percent or so, as the math of step 4 predicts.
//   - filters_contractive.png against filters_plain.png: the penalty turns
//     many code units off (stuck near 0 or 1 for every image, their rows of
//     W_e still the initial noise); "code units in use" counts the rest
//     (≈ 34 of 64 against ≈ 54 for the plain model in a default run).
//   - reconstructions.png: originals, plain, contractive.
//   The figures of a full run are in lessons/README.md.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "hourglass/hourglass.hpp"
#include "hourglass/nn/contractive.hpp"

using hg::Var;

// ---------------------------------------------------------------------------
// The model: lesson 01's, with the code h kept in sight because the penalty
// needs it (and the encoder's W_e, whose rows it measures).
struct Autoencoder {
  hg::Linear encoder, decoder;

  Autoencoder(int pixels, int code_size, hg::Rng& rng)
      : encoder(pixels, code_size, rng, hg::Init::Xavier, "enc"),
        decoder(code_size, pixels, rng, hg::Init::Xavier, "dec") {}

  Var encode(Var x) { return sigmoid(encoder(x)); }      // h = σ(W_e x + b_e)
  Var decode(Var h) { return sigmoid(decoder(h)); }      // x̂ = σ(W_d h + b_d)
  Var reconstruct(Var x) { return decode(encode(x)); }

  hg::ParameterList params() { return hg::params(encoder, decoder); }
};

// L = ‖x − x̂‖² + λ ‖J_f(x)‖²_F, both averaged over the batch. With λ = 0
// this is lesson 01's loss exactly (the penalty is not even computed).
struct BatchLoss {
  Var total;
  float reconstruction, penalty;
};
BatchLoss batch_loss(Autoencoder& ae, Var x, float lambda) {
  Var h = ae.encode(x);
  Var rec = mse(ae.decode(h), x);
  if (lambda == 0.0f) return {rec, rec.item(), 0.0f};
  Var W = x.tape().param(ae.encoder.W());
  Var pen = contractive_penalty(h, W);   // (1/B) Σ_b ‖J_f(x_b)‖²_F
  return {rec + lambda * pen, rec.item(), pen.item()};
}

// One epoch of mini-batch Adam; returns the mean penalty ‖J‖²_F over it.
double train_epoch(Autoencoder& ae, hg::Optimizer& opt, const hg::Dataset& train,
                   int batch_size, float lambda, hg::Rng& rng, hg::Tape& tape,
                   int epoch, int epochs) {
  hg::ProgressBar bar(epoch, epochs, train.size());
  double loss_sum = 0, pen_sum = 0;
  int seen = 0;
  for (const hg::Batch& batch : hg::batches(train, batch_size, rng)) {
    tape.clear();
    BatchLoss l = batch_loss(ae, tape.input(batch.images), lambda);
    opt.zero_grad();
    tape.backward(l.total);
    opt.step();
    loss_sum += double(l.reconstruction) * batch.size();
    pen_sum += double(l.penalty) * batch.size();
    seen += batch.size();
    bar.update(seen, loss_sum / seen);
  }
  bar.finish(loss_sum / seen);
  return pen_sum / seen;
}

// The codes (want_code) or the reconstructions of every row of `images`.
hg::Tensor run_all(Autoencoder& ae, const hg::Tensor& images, bool want_code,
                   hg::Tape& tape) {
  const int N = images.rows(), D = images.cols();
  const int out_cols = want_code ? ae.encoder.out_features() : D;
  hg::Tensor out(hg::Shape{N, out_cols}), chunk;
  for (int start = 0; start < N; start += 500) {
    const int B = std::min(500, N - start);
    chunk.resize(hg::Shape{B, D});
    std::copy_n(images.data() + std::size_t(start) * D, std::size_t(B) * D,
                chunk.data());
    tape.clear();
    Var x = tape.input(chunk);
    Var y = want_code ? ae.encode(x) : ae.reconstruct(x);
    std::copy(y.value().begin(), y.value().end(),
              out.data() + std::size_t(start) * out_cols);
  }
  return out;
}

// Root mean square over images of ‖J_f(x)‖_F, from the closed form on the
// codes: √(mean ‖J‖²_F), the average the penalty itself takes.
double rms_jacobian_norm(Autoencoder& ae, const hg::Tensor& images,
                          hg::Tape& tape) {
  const hg::Tensor h = run_all(ae, images, true, tape);
  std::vector<float> frob2(std::size_t(h.rows()));
  hg::jacobian_frobenius_sq(h, ae.encoder.W().value, frob2.data());
  double sum = 0;
  for (float f : frob2) sum += f;
  return std::sqrt(sum / double(frob2.size()));
}

// Root mean square over images of ‖f(x + δ) − f(x)‖ for random δ of length
// `size`: δ = size · u, u uniform on the unit sphere (a normal vector,
// normalised). `u` holds one fixed direction per image, so every size and
// both models see the same directions.
double rms_displacement(Autoencoder& ae, const hg::Tensor& images,
                         const hg::Tensor& u, float size, hg::Tape& tape) {
  hg::Tensor moved = images;
  for (std::size_t i = 0; i < moved.size(); ++i) moved[i] += size * u[i];
  const hg::Tensor h = run_all(ae, images, true, tape);
  const hg::Tensor h_moved = run_all(ae, moved, true, tape);
  const int N = h.rows(), H = h.cols();
  double sum = 0;
  for (int n = 0; n < N; ++n) {
    double d2 = 0;
    for (int j = 0; j < H; ++j) {
      const double d = double(h_moved.at(n, j)) - h.at(n, j);
      d2 += d * d;
    }
    sum += d2;
  }
  return std::sqrt(sum / N);
}

// Code units "in use": those whose value varies over the images, with a
// standard deviation of at least 0.05 (h_j is in (0, 1)). A unit stuck near
// 0 or 1 for every image has slope h(1 − h) ≈ 0 everywhere: it pays no
// penalty, and it says nothing.  codes: (N, H)
int units_in_use(const hg::Tensor& codes) {
  const int N = codes.rows(), H = codes.cols();
  int used = 0;
  for (int j = 0; j < H; ++j) {
    double s = 0, s2 = 0;
    for (int n = 0; n < N; ++n) {
      const double v = codes.at(n, j);
      s += v;
      s2 += v * v;
    }
    const double mean = s / N;
    used += std::sqrt(std::max(0.0, s2 / N - mean * mean)) >= 0.05;
  }
  return used;
}

int main(int argc, char** argv) {
  int code_size = 64;
  float lambda = 2.0f;
  float delta = 0.1f;
  hg::LessonInfo info{
      .name = "08_contractive",
      .summary = "the contractive autoencoder: L = ‖x − x̂‖² + λ‖J_f(x)‖²_F",
      .epochs = 10,
      .batch_size = 128,
      .lr = 1e-2f,  // lesson 01's Adam rate for this one-layer model
      .flags = {hg::flag("code-size", &code_size, "units in the code h", 1, 784),
                hg::flag("lambda", &lambda, "weight λ of the contractive penalty", 0, 1e4),
                hg::flag("delta", &delta,
                         "length ‖δ‖ of the small random perturbation measured", 1e-4, 100)}};

  return hg::run_lesson(argc, argv, info, [&](hg::Lesson& lesson) {
    const hg::LessonOptions& opt = lesson.options();
    hg::Rng rng(opt.seed);
    hg::Tape tape;

    // -----------------------------------------------------------------------
    lesson.step(1, "Load Fashion-MNIST");
    // As in every lesson: 55,000 training images, 5,000 for validation,
    // 10,000 for the test; pixels in [0, 1].
    hg::LessonData data =
        hg::load_lesson_data(opt.data_dir, opt.synthetic, opt.quick, rng);
    const int pixels = data.train.pixels();
    const hg::Tensor& test = data.test.images;
    std::printf("train %d, test %d images%s\n", data.train.size(),
                data.test.size(), data.synthetic ? " (synthetic shapes)" : "");
    // The yardstick of "learned nothing": answer every image with the mean
    // training image.
    hg::Tensor mean_images(test.shape());
    {
      std::vector<double> mu(std::size_t(pixels), 0.0);
      for (int n = 0; n < data.train.size(); ++n)
        for (int i = 0; i < pixels; ++i) mu[std::size_t(i)] += data.train.images.at(n, i);
      for (int n = 0; n < data.test.size(); ++n)
        for (int i = 0; i < pixels; ++i)
          mean_images.at(n, i) = float(mu[std::size_t(i)] / data.train.size());
    }
    const double mean_error = hg::error_per_pixel(test, mean_images);

    // -----------------------------------------------------------------------
    lesson.step(2, "A plain sigmoid autoencoder");
    // Lesson 01's model with a code of 64: the reference whose code
    // sensitivity we want to beat. We copy its starting weights so that the
    // contractive model starts from exactly the same point and sees the
    // same batches: any difference comes from the penalty alone.
    Autoencoder plain(pixels, code_size, rng);
    Autoencoder cae = plain;
    hg::Adam plain_opt(plain.params(), {.lr = opt.lr});
    hg::Rng plain_rng(opt.seed + 1), cae_rng(opt.seed + 1);
    for (int e = 1; e <= opt.epochs; ++e)
      train_epoch(plain, plain_opt, data.train, opt.batch_size, 0.0f, plain_rng,
                  tape, e, opt.epochs);

    // -----------------------------------------------------------------------
    lesson.step(3, "The same model with the contractive penalty");
    // L = ‖x − x̂‖² + λ Σ_j (h_j(1 − h_j))² ‖W_j‖². Look at the two ways
    // the penalty can shrink, and what each does to the code:
    //   - small rows W_j: unit j barely looks at the input. Alone this would
    //     be weight decay, but the decoder then needs large weights to undo
    //     it, and reconstruction pulls back.
    //   - a saturated unit, h_j near 0 or 1: its slope h_j(1 − h_j) is ~0,
    //     so it does not move for small δ. Units learn to sit in their flat
    //     parts for most inputs and to switch only where the data vary.
    // Its gradient flows to W_e twice: directly through ‖W_j‖², and through
    // h (∂/∂h_j of (h_j(1 − h_j))² = 2 h_j(1 − h_j)(1 − 2h_j)); the tape
    // adds both.
    hg::Adam cae_opt(cae.params(), {.lr = opt.lr});
    double cae_pen = 0;
    for (int e = 1; e <= opt.epochs; ++e)
      cae_pen = train_epoch(cae, cae_opt, data.train, opt.batch_size, lambda,
                            cae_rng, tape, e, opt.epochs);
    std::printf("contractive model, last epoch: mean ‖J‖²_F %.3f (λ = %g)\n",
                cae_pen, double(lambda));

    const double plain_error = hg::error_per_pixel(test, run_all(plain, test, false, tape));
    const double cae_error = hg::error_per_pixel(test, run_all(cae, test, false, tape));
    std::printf("test error per pixel: plain %.5f, contractive %.5f, mean image %.5f\n",
                plain_error, cae_error, mean_error);

    // -----------------------------------------------------------------------
    lesson.step(4, "How far do the codes move?");
    // Two measurements on the test images, which neither model saw.
    //  (a) ‖J_f(x)‖_F from the closed form.
    //  (b) ‖f(x + δ) − f(x)‖ / ‖δ‖ for a random δ of small length, measured
    //      by running the encoder twice: no formula involved.
    // Both are averaged over the images as a root mean square, √(mean ·²),
    // the average the math below predicts exactly.
    // They must agree. For small δ, f(x + δ) − f(x) ≈ J δ, and for a
    // direction u drawn uniformly on the unit sphere in D dimensions,
    // E[u uᵀ] = I / D, so E‖J u‖² = trace(J Jᵀ)/D = ‖J‖²_F / D. A random
    // direction therefore moves the code by about ‖J‖_F / √D per unit of
    // ‖δ‖ — in 784 dimensions, a 28th of what the worst direction could.
    hg::Tensor u(test.shape());
    hg::Rng u_rng(opt.seed + 2);
    u_rng.fill_normal(u, 0.0f, 1.0f);
    for (int n = 0; n < u.rows(); ++n) {  // each row to unit length
      double s = 0;
      for (int i = 0; i < pixels; ++i) s += double(u.at(n, i)) * u.at(n, i);
      for (int i = 0; i < pixels; ++i) u.at(n, i) = float(u.at(n, i) / std::sqrt(s));
    }
    const double plain_jac = rms_jacobian_norm(plain, test, tape);
    const double cae_jac = rms_jacobian_norm(cae, test, tape);
    const double plain_sens = rms_displacement(plain, test, u, delta, tape) / delta;
    const double cae_sens = rms_displacement(cae, test, u, delta, tape) / delta;
    const double root_d = std::sqrt(double(pixels));
    std::printf("‖J‖_F: plain %.3f, contractive %.3f (ratio %.3f)\n", plain_jac,
                cae_jac, cae_jac / plain_jac);
    std::printf("‖Δh‖/‖δ‖ at ‖δ‖ = %g: plain %.4f (‖J‖_F/√D = %.4f), "
                "contractive %.4f (‖J‖_F/√D = %.4f)\n",
                double(delta), plain_sens, plain_jac / root_d, cae_sens,
                cae_jac / root_d);

    // Random directions are almost all "off the data": no garment differs
    // from another by white noise. The contractive idea is to flatten the
    // code in those directions while keeping it sensitive along the ones
    // in which images really vary. So measure again along data directions:
    // δ ∝ x' − x, toward another test image x' (the next one in the set).
    // The ratio data/random says how much more the code follows a real
    // change than noise of the same size.
    hg::Tensor v(test.shape());
    for (int n = 0; n < v.rows(); ++n) {
      const int m = (n + 1) % v.rows();
      double s = 0;
      for (int i = 0; i < pixels; ++i) {
        v.at(n, i) = test.at(m, i) - test.at(n, i);
        s += double(v.at(n, i)) * v.at(n, i);
      }
      const double len = std::max(std::sqrt(s), 1e-12);
      for (int i = 0; i < pixels; ++i) v.at(n, i) = float(v.at(n, i) / len);
    }
    const double plain_data = rms_displacement(plain, test, v, delta, tape) / delta;
    const double cae_data = rms_displacement(cae, test, v, delta, tape) / delta;
    std::printf("along data directions: plain %.4f (%.1f× random), contractive "
                "%.4f (%.1f× random)\n", plain_data, plain_data / plain_sens,
                cae_data, cae_data / cae_sens);

    // The same measurement over four decades of ‖δ‖: the curve of each
    // model, on log axes. ‖x‖ itself is about 10 for a garment, so the
    // right end is a perturbation as large as the image.
    std::vector<double> log_sizes, plain_moves, cae_moves;
    for (double lg = -3; lg <= 1.01; lg += 0.5) {
      const float size = float(std::pow(10.0, lg));
      log_sizes.push_back(lg);
      plain_moves.push_back(rms_displacement(plain, test, u, size, tape));
      cae_moves.push_back(rms_displacement(cae, test, u, size, tape));
    }
    hg::save_svg(lesson.out_path("sensitivity.svg"),
                 hg::LinePlot{.title = "Lesson 8: how far the code moves under a random perturbation",
                              .x_label = "log10 ‖δ‖ (random direction)",
                              .y_label = "rms ‖f(x + δ) − f(x)‖",
                              .series = {{"plain", log_sizes, plain_moves},
                                         {"contractive", log_sizes, cae_moves}},
                              .log_y = true});

    const int plain_units = units_in_use(run_all(plain, test, true, tape));
    const int cae_units = units_in_use(run_all(cae, test, true, tape));
    std::printf("code units in use (std over test images ≥ 0.05): plain %d, "
                "contractive %d of %d\n", plain_units, cae_units, code_size);

    // Originals, plain reconstructions, contractive reconstructions.
    const int shown = std::min(12, data.test.size());
    hg::write_png(lesson.out_path("reconstructions.png"),
                  hg::triples_grid(test, run_all(plain, test, false, tape),
                                   run_all(cae, test, false, tape),
                                   data.test.height, data.test.width, shown,
                                   shown, {.scale = 2}));
    // The rows of W_e, each scaled to its own largest weight. Rows that still
    // look like the random noise they started as belong to units the
    // penalty pushed into saturation early: there h(1 − h) ≈ 0, so neither
    // the reconstruction nor the penalty sends them any gradient, and they
    // keep their initial weights. The units left in use look for
    // garment-sized patterns.
    hg::write_png(lesson.out_path("filters_plain.png"),
                  hg::filter_grid(plain.encoder.W().value, data.test.height,
                                  data.test.width, 8, hg::FilterScale::Symmetric,
                                  {.scale = 2}));
    hg::write_png(lesson.out_path("filters_contractive.png"),
                  hg::filter_grid(cae.encoder.W().value, data.test.height,
                                  data.test.width, 8, hg::FilterScale::Symmetric,
                                  {.scale = 2}));

    // -----------------------------------------------------------------------
    lesson.step(5, "The numbers");
    lesson.result("lambda", "lambda (weight of the penalty)", lambda);
    lesson.result("mean_image_error", "mean image: test error per pixel", mean_error);
    lesson.result("plain_test_error", "plain: test error per pixel", plain_error);
    lesson.result("cae_test_error", "contractive: test error per pixel", cae_error);
    lesson.result("plain_jacobian", "plain: rms ||J_f(x)||_F (test)", plain_jac);
    lesson.result("cae_jacobian", "contractive: rms ||J_f(x)||_F (test)", cae_jac);
    lesson.result("plain_sensitivity", "plain: rms ||dh|| / ||delta||, random delta", plain_sens);
    lesson.result("cae_sensitivity", "contractive: rms ||dh|| / ||delta||", cae_sens);
    lesson.result("sensitivity_ratio", "contractive / plain sensitivity",
                  cae_sens / plain_sens);
    lesson.result("plain_data_sensitivity", "plain: rms ||dh|| / ||delta||, toward x'",
                  plain_data);
    lesson.result("cae_data_sensitivity", "contractive: same, toward x'", cae_data);
    lesson.result("plain_data_over_random", "plain: data / random sensitivity",
                  plain_data / plain_sens);
    lesson.result("cae_data_over_random", "contractive: data / random sensitivity",
                  cae_data / cae_sens);
    lesson.result("plain_units_in_use", "plain: code units in use", plain_units);
    lesson.result("cae_units_in_use", "contractive: code units in use", cae_units);
    lesson.result("plain_predicted_sensitivity", "plain: ||J||_F / sqrt(D), predicted",
                  plain_jac / root_d);
    lesson.result("cae_predicted_sensitivity", "contractive: ||J||_F / sqrt(D), predicted",
                  cae_jac / root_d);
  });
}
