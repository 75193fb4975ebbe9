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
//   moves when pixel i moves. For one sigmoid layer its squared Frobenius
//   norm needs no big matrix:
//
//       J_ji = h_j (1 − h_j) W_ji   ⇒   ‖J‖²_F = Σ_j (h_j (1 − h_j))² Σ_i W_ji²
//
//   (Rifai et al., "Contractive Auto-Encoders", ICML 2011; the op is
//   hg::contractive_penalty in include/hourglass/nn/contractive.hpp.)
//
// What is new
//   A penalty on a *derivative* of the model rather than on its outputs or
//   weights. Reconstruction wants the code to move when x moves; the
//   penalty wants it to stay put. The compromise: a code that moves along
//   the directions in which the images vary and ignores the rest. Lesson 05
//   got robustness by training on corrupted inputs; here it is asked for
//   analytically, with no noise sampled.
//
// How to run it
//   scripts/lesson 08_contractive                the full run (λ = 2)
//   scripts/lesson 08_contractive --quick        a few hundred images
//   scripts/lesson 08_contractive --lambda 5     contract harder
//   scripts/lesson 08_contractive --step=batch   stop inside training
//   scripts/lesson 08_contractive --resume       continue an interrupted run
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
// this is lesson 01's loss exactly (the penalty is not even recorded).
Var batch_loss(Autoencoder& ae, Var x, float lambda) {
  Var h = ae.encode(x);
  Var rec = mse(ae.decode(h), x);
  if (lambda == 0.0f) return rec;
  Var W = x.tape().param(ae.encoder.W());
  return rec + lambda * contractive_penalty(h, W);  // (1/B) Σ_b ‖J_f(x_b)‖²_F
}

// ---------------------------------------------------------------------------
// Measurements. The codes of every row of `images`, forward only.
hg::Tensor codes(Autoencoder& ae, const hg::Tensor& images) {
  return lessons::forward_all(images, [&](Var x) { return ae.encode(x); });
}

// Root mean square over images of ‖J_f(x)‖_F, from the closed form on the
// codes: √(mean ‖J‖²_F), the average the penalty itself takes.
double rms_jacobian_norm(Autoencoder& ae, const hg::Tensor& images) {
  const hg::Tensor h = codes(ae, images);
  std::vector<float> frob2(std::size_t(h.rows()));
  hg::jacobian_frobenius_sq(h, ae.encoder.W().value, frob2.data());
  double sum = 0;
  for (float f : frob2) sum += f;
  return std::sqrt(sum / double(frob2.size()));
}

// Root mean square over images of ‖f(x + δ) − f(x)‖, δ = size · u_n with
// u_n row n of `u` (unit length): one fixed direction per image, so every
// size and both models see the same directions.
double rms_displacement(Autoencoder& ae, const hg::Tensor& images,
                        const hg::Tensor& u, float size) {
  hg::Tensor moved = images;
  for (std::size_t i = 0; i < moved.size(); ++i) moved[i] += size * u[i];
  const hg::Tensor h = codes(ae, images), h_moved = codes(ae, moved);
  double sum = 0;
  for (std::size_t i = 0; i < h.size(); ++i) {
    const double d = double(h_moved[i]) - h[i];
    sum += d * d;
  }
  return std::sqrt(sum / h.rows());
}

// The worst direction: the largest singular value σ_max of J = diag(s) W, s_j = h_j(1 − h_j),
// found by power iteration on J Jᵀ = diag(s) W Wᵀ diag(s) (code × code, small). Returns, over
// the first `count` rows of `images`, the rms of σ_max and the mean of (‖J‖_F/√D) / σ_max: how
// much of the worst direction's move a random direction gets.
struct WorstDirection { double rms_sigma_max, random_over_worst; };
WorstDirection worst_direction(Autoencoder& ae, const hg::Tensor& images, int count) {
  const hg::Tensor& W = ae.encoder.W().value;  // (code, D)
  const int C = W.rows(), D = W.cols();
  std::vector<double> G(std::size_t(C) * C, 0.0);  // W Wᵀ
  for (int j = 0; j < C; ++j)
    for (int k = 0; k < C; ++k)
      for (int i = 0; i < D; ++i) G[j * C + k] += double(W.at(j, i)) * W.at(k, i);
  const hg::Tensor h = codes(ae, images);
  const int N = std::min(count, h.rows());
  double sum_sq = 0, sum_ratio = 0;
  std::vector<double> s(C), v(C), w(C);
  for (int n = 0; n < N; ++n) {
    double frob2 = 0;
    for (int j = 0; j < C; ++j) {
      s[j] = h.at(n, j) * (1.0 - h.at(n, j));
      frob2 += s[j] * s[j] * G[j * C + j];
    }
    std::fill(v.begin(), v.end(), 1.0);
    double eig = 0;  // ‖J Jᵀ v‖ with ‖v‖ = 1 → σ_max²
    for (int it = 0; it < 100; ++it) {
      double len = 0;
      for (int j = 0; j < C; ++j) {
        double t = 0;
        for (int k = 0; k < C; ++k) t += G[j * C + k] * s[k] * v[k];
        w[j] = s[j] * t;
        len += w[j] * w[j];
      }
      eig = std::sqrt(len);
      if (eig == 0) break;
      for (int j = 0; j < C; ++j) v[j] = w[j] / eig;
    }
    sum_sq += eig;
    if (eig > 0) sum_ratio += std::sqrt(frob2 / D) / std::sqrt(eig);
  }
  return {std::sqrt(sum_sq / N), sum_ratio / N};
}

// Code units "in use": those whose value varies over the images with a
// standard deviation of at least 0.05. A unit stuck near 0 or 1 for every
// image has slope h(1 − h) ≈ 0: it pays no penalty, and it says nothing.
int units_in_use(const hg::Tensor& h) {
  int used = 0;
  for (int j = 0; j < h.cols(); ++j) {
    double s = 0, s2 = 0;
    for (int n = 0; n < h.rows(); ++n) s += h.at(n, j), s2 += double(h.at(n, j)) * h.at(n, j);
    const double mean = s / h.rows();
    used += std::sqrt(std::max(0.0, s2 / h.rows() - mean * mean)) >= 0.05;
  }
  return used;
}

// Each row of `u` scaled to unit length (a zero row stays zero).
void normalise_rows(hg::Tensor& u) {
  for (int n = 0; n < u.rows(); ++n) {
    double s = 0;
    for (int i = 0; i < u.cols(); ++i) s += double(u.at(n, i)) * u.at(n, i);
    const double len = std::max(std::sqrt(s), 1e-12);
    for (int i = 0; i < u.cols(); ++i) u.at(n, i) = float(u.at(n, i) / len);
  }
}

// ---------------------------------------------------------------------------
// The steps.
struct Settings { int code_size = 64; float lambda = 2.0f, delta = 0.1f; };

hg::LessonData load(hg::Lesson& lesson, hg::Rng& rng) {
  lesson.step(1, "Load Fashion-MNIST",
              "55,000 training images, 5,000 for validation, 10,000 for the test, pixels in "
              "[0, 1]; and the mean image, the score of a model that learned nothing.");
  return lessons::load_data(lesson, rng);
}

// Trains `ae` with λ = `lambda` through the shared loop; checkpointed.
void fit(hg::Lesson& lesson, const std::string& name, Autoencoder& ae,
         const hg::LessonData& data, const Settings& s, float lambda) {
  const hg::LessonOptions& o = lesson.options();
  hg::Adam adam(ae.params(), {.lr = o.lr});
  lessons::Run run{
      .name = name, .opt = adam, .batch_size = o.batch_size,
      .rng = hg::Rng(o.seed + 1), .checkpoint = true,  // both models see the same batches
      .settings = {{"code_size", std::to_string(s.code_size)},
                   {"lambda", std::to_string(lambda)}},
      .loss = [&](hg::Tape& tape, const hg::Batch& b) {
        return batch_loss(ae, tape.input(b.images), lambda);
      }};
  lessons::train(lesson, run, data.train, o.epochs, [&] {
    return lessons::error_per_pixel(data.validation, [&](Var x) { return ae.reconstruct(x); });
  });
}

void train_plain(hg::Lesson& lesson, const hg::LessonData& data,
                 Autoencoder& plain, const Settings& s) {
  lesson.step(2, "A plain sigmoid autoencoder",
              "Lesson 01's model with a code of 64, λ = 0: the reference whose code sensitivity "
              "the penalty should beat. The contractive model starts from the same weights and "
              "sees the same batches.");
  fit(lesson, "plain", plain, data, s, 0.0f);
}

void train_contractive(hg::Lesson& lesson, const hg::LessonData& data,
                       Autoencoder& cae, const Settings& s) {
  lesson.step(3, "The same model with the contractive penalty",
              "The penalty λ Σ_j (h_j(1 − h_j))² ‖W_j‖² shrinks two ways: small rows W_j (the "
              "unit barely looks at the input), or a saturated unit (h_j near 0 or 1, slope "
              "near 0). Its gradient reaches W_e directly and through h; the tape adds both. "
              "Watch the loss: it is the sum of both terms.");
  fit(lesson, "contractive", cae, data, s, s.lambda);
  lesson.result("lambda", "lambda (weight of the penalty)", s.lambda);
}

// A number measured on both models, as the results plain_<key> and cae_<key>.
void result_pair(hg::Lesson& lesson, const std::string& key, const std::string& label,
                 double plain, double cae) {
  lesson.result("plain_" + key, "plain: " + label, plain);
  lesson.result("cae_" + key, "contractive: " + label, cae);
}

// One model's sensitivities on the test images: ‖J‖_F, the code's move per unit of ‖δ‖ along
// the random directions `u` and toward other images `v`, and the worst direction.
struct Sense { double jac, random, data; WorstDirection worst; };
Sense sense(Autoencoder& ae, const hg::Tensor& test, const hg::Tensor& u, const hg::Tensor& v,
            float delta) {
  return {rms_jacobian_norm(ae, test), rms_displacement(ae, test, u, delta) / delta,
          rms_displacement(ae, test, v, delta) / delta, worst_direction(ae, test, 1000)};
}

// Both models' sensitivities side by side (D pixels): step 4's table, and the results.
void show_sensitivities(hg::Lesson& lesson, const Sense& p, const Sense& c, int D) {
  const double root_d = std::sqrt(double(D));
  std::vector<std::vector<std::string>> rows;
  for (const auto& [name, m] : {std::pair{"plain", p}, std::pair{"contractive", c}})
    rows.push_back({name, hg::cell("%.3f", m.jac), hg::cell("%.4f", m.random),
                    hg::cell("%.4f", m.jac / root_d), hg::cell("%.4f", m.data),
                    hg::cell("%.4f", m.worst.rms_sigma_max)});
  lesson.table("", {"", "‖J‖_F", "random δ", "‖J‖_F/√D", "toward x'", "rms σ_max(J)"},
               std::move(rows));
  std::printf("a random direction moves the code by this fraction of the worst "
              "direction's move: plain %.3f, contractive %.3f (1/√D = %.3f)\n",
              p.worst.random_over_worst, c.worst.random_over_worst, 1 / root_d);
  lesson.result("sensitivity_ratio", "contractive / plain sensitivity", c.random / p.random);
  lesson.result("inv_sqrt_d", "1 / sqrt(D), the least random / worst can be", 1 / root_d);
  result_pair(lesson, "jacobian", "rms ||J_f(x)||_F", p.jac, c.jac);
  result_pair(lesson, "sensitivity", "rms ||dh|| / ||delta||, random delta", p.random, c.random);
  result_pair(lesson, "predicted_sensitivity", "||J||_F / sqrt(D), predicted", p.jac / root_d,
              c.jac / root_d);
  result_pair(lesson, "data_sensitivity", "rms ||dh|| / ||delta||, toward x'", p.data, c.data);
  result_pair(lesson, "data_over_random", "data / random sensitivity", p.data / p.random,
              c.data / c.random);
  result_pair(lesson, "worst_gain", "rms sigma_max(J), the worst direction",
              p.worst.rms_sigma_max, c.worst.rms_sigma_max);
  result_pair(lesson, "random_over_worst", "random / worst direction",
              p.worst.random_over_worst, c.worst.random_over_worst);
}

void how_far(hg::Lesson& lesson, const hg::Tensor& test, Autoencoder& plain, Autoencoder& cae,
             const hg::Tensor& u, const Settings& s) {
  lesson.step(4, "How far do the codes move?",
              "On the test images: ‖J‖_F from the closed form; ‖f(x + δ) − f(x)‖ / ‖δ‖ for a "
              "small random δ, measured by running the encoder twice; and along δ toward another "
              "test image. For small δ, f(x + δ) − f(x) ≈ Jδ, and for u uniform on the unit "
              "sphere E‖Ju‖² = ‖J‖²_F / D: a random direction moves the code ‖J‖_F/√D. The "
              "worst direction moves it σ_max(J) ≤ ‖J‖_F, so a random one gets at least 1/√D of "
              "the worst (more, the more singular values J has of similar size). Look for the "
              "measured and predicted columns agreeing, and for the data/random ratio.");
  hg::Tensor v(test.shape());  // toward x', the next test image
  for (int n = 0; n < v.rows(); ++n)
    for (int i = 0; i < v.cols(); ++i)
      v.at(n, i) = test.at((n + 1) % v.rows(), i) - test.at(n, i);
  normalise_rows(v);
  show_sensitivities(lesson, sense(plain, test, u, v, s.delta), sense(cae, test, u, v, s.delta),
                     test.cols());
}

// ‖f(x + δ) − f(x)‖ against ‖δ‖ over four decades, both models, the directions `u`.
void sensitivity_curve(hg::Lesson& lesson, const hg::Tensor& test, Autoencoder& plain,
                       Autoencoder& cae, const hg::Tensor& u) {
  std::vector<double> log_sizes, plain_moves, cae_moves;
  for (double lg = -3; lg <= 1.01; lg += 0.5) {
    const float size = float(std::pow(10.0, lg));
    log_sizes.push_back(lg);
    // A code that does not move at all (every unit saturated, as after a
    // diverged run) gives 0, which a log axis cannot show: floor it.
    plain_moves.push_back(std::max(rms_displacement(plain, test, u, size), 1e-12));
    cae_moves.push_back(std::max(rms_displacement(cae, test, u, size), 1e-12));
  }
  hg::save_svg(lesson.out_path("sensitivity.svg"),
               hg::LinePlot{.title = "Lesson 8: how far the code moves under a random perturbation",
                            .x_label = "log10 ‖δ‖ (random direction)",
                            .y_label = "rms ‖f(x + δ) − f(x)‖",
                            .series = {{"plain", log_sizes, plain_moves},
                                       {"contractive", log_sizes, cae_moves}},
                            .log_y = true});
  lesson.figure("sensitivity.svg", "code displacement against ‖δ‖: parallel lines of slope 1, "
                "the contractive one lower, bending only where δ is as large as an image");
}

void pictures(hg::Lesson& lesson, const hg::LessonData& data,
              Autoencoder& plain, Autoencoder& cae, const hg::Tensor& u) {
  lesson.step(5, "The curve over four decades, units, filters",
              "‖f(x + δ) − f(x)‖ for random δ from 0.001 to 10, the right end as long as a "
              "garment image itself. Units whose code never varies are counted out; their rows "
              "of W_e keep the noise they started as, since a saturated unit gets no gradient.");
  const hg::Tensor& test = data.test.images;
  sensitivity_curve(lesson, test, plain, cae, u);
  const int H = data.test.height, W = data.test.width;
  auto recon = [&](Autoencoder& ae) {
    return lessons::forward_all(test, [&](Var x) { return ae.reconstruct(x); });
  };
  const int shown = std::min(12, data.test.size());
  hg::write_png(lesson.out_path("reconstructions.png"),
                hg::triples_grid(test, recon(plain), recon(cae), H, W, shown, shown, {.scale = 2}));
  lesson.figure("reconstructions.png", "test images, the plain model's "
                "reconstructions, the contractive model's (blurrier)");
  for (auto [file, ae] : {std::pair{"filters_plain.png", &plain},
                          std::pair{"filters_contractive.png", &cae}})
    hg::write_png(lesson.out_path(file), hg::filter_grid(ae->encoder.W().value, H, W, 8,
                                                         hg::FilterScale::Symmetric, {.scale = 2}));
  lesson.figure("filters_plain.png", "the rows of W_e, plain model");
  lesson.figure("filters_contractive.png", "the rows of W_e with the penalty: units in use look "
                "for garment-sized patterns; the noisy rows belong to units stuck at 0 or 1");
  const int plain_units = units_in_use(codes(plain, test));
  const int cae_units = units_in_use(codes(cae, test));
  std::printf("code units in use (std over test images ≥ 0.05): plain %d, "
              "contractive %d of %d\n", plain_units, cae_units, plain.encoder.out_features());
  result_pair(lesson, "units_in_use", "code units in use", plain_units, cae_units);
}

void the_numbers(hg::Lesson& lesson, const hg::LessonData& data, Autoencoder& plain,
                 Autoencoder& cae) {
  lesson.step(6, "The numbers", "Errors and sensitivities on the test set, for both models.");
  auto error = [&](Autoencoder& ae) {
    return lessons::error_per_pixel(data.test, [&](Var x) { return ae.reconstruct(x); });
  };
  const double plain_error = error(plain), cae_error = error(cae);
  const double mean_error = lessons::mean_image_error(data.train, data.test);
  lesson.result("mean_image_error", "mean image: test error per pixel", mean_error);
  result_pair(lesson, "test_error", "test error per pixel", plain_error, cae_error);
  lessons::warn_if_diverged(lesson, "the plain model", plain_error, "mean image", mean_error);
  lessons::warn_if_diverged(lesson, "the contractive model", cae_error, "mean image", mean_error);
  lesson.try_this({
      {"--lambda 0.5",
       "A weaker pull than λ = 2: less contraction, error nearer the plain model's."},
      {"--lambda 5", "Contracts harder: smaller Jacobian, higher error, fewer units in use."},
  });
}

// ---------------------------------------------------------------------------
int main(int argc, char** argv) {
  Settings s;
  const hg::LessonInfo info{
      .name = "08_contractive",
      .summary = "the contractive autoencoder: L = ‖x − x̂‖² + λ‖J_f(x)‖²_F",
      .look_for = "The table: the contractive encoder's Jacobian is several "
                  "times smaller than the plain one's, and the measured code "
                  "displacement shrinks by the same factor; the price is a "
                  "higher test error. In sensitivity.svg, two parallel lines "
                  "of slope 1 on log axes, the contractive one lower; they "
                  "bend only for a δ as large as an image, where the sigmoids "
                  "saturate. The contraction is uneven: the contractive code "
                  "follows moves toward other images more than random moves, "
                  "more so than the plain code. A random direction moves the "
                  "code ‖J‖_F/√D per unit of ‖δ‖, at least 1/√D of what the "
                  "worst direction does; the run measures both.",
      .epochs = 10, .batch_size = 128,
      .lr = 1e-2f,  // lesson 01's Adam rate for this one-layer model
      .flags = {hg::flag("code-size", &s.code_size, "units in the code h", 1, 784),
                hg::flag("lambda", &s.lambda, "weight λ of the contractive penalty", 0, 1e4),
                hg::flag("delta", &s.delta,
                         "length ‖δ‖ of the small random perturbation measured", 1e-4, 100)},
      .resumable = true};

  return hg::run_lesson(argc, argv, info, [&](hg::Lesson& lesson) {
    hg::Rng rng(lesson.options().seed);
    const hg::LessonData data = load(lesson, rng);
    Autoencoder plain(data.train.pixels(), s.code_size, rng);
    Autoencoder cae = plain;  // the same start
    train_plain(lesson, data, plain, s);
    train_contractive(lesson, data, cae, s);
    hg::Tensor u(data.test.images.shape());  // one random unit direction per test image
    hg::Rng u_rng(lesson.options().seed + 2);
    u_rng.fill_normal(u, 0.0f, 1.0f);
    normalise_rows(u);
    how_far(lesson, data.test.images, plain, cae, u, s);
    pictures(lesson, data, plain, cae, u);
    the_numbers(lesson, data, plain, cae);
  });
}
