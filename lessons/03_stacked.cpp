// Lesson 3 — stacked autoencoders: greedy layer-wise pretraining
// ==============================================================
//
// What you will build
//   A deep autoencoder 784-256-64-32-64-256-784, trained two ways, compared:
//   1. Greedy, layer by layer. A shallow autoencoder 784-256-784 learns the
//      images; its frozen encoder turns each image into a code h¹; a second
//      256-64-256 learns those codes, a third 64-32-64 the codes h² of the
//      second. Each floor solves an easy, one-hidden-layer problem:
//          floor k:  h^k = f(W_k h^{k−1} + b_k),   ĥ^{k−1} = g(V_k h^k + c_k)
//                    L_k = ‖h^{k−1} − ĥ^{k−1}‖²,   with h^0 = x
//      (Hinton & Salakhutdinov 2006 built their floors from RBMs,
//      https://www.science.org/doi/10.1126/science.1127647; Bengio et al.
//      2007, https://papers.nips.cc/paper/3048, used shallow autoencoders.)
//   2. Stack the encoders, then the decoders in mirror order,
//          x → W_1 → W_2 → W_3 → z → V_3 → V_2 → V_1 → x̂
//      and fine-tune the whole network on L = ‖x − x̂‖² by backpropagation.
//   3. The same network trained end to end from a random start, for as many
//      epochs as 1 and 2 together.
//
// What is new
//   Depth built up a floor at a time: the weights the floors learn alone
//   become the starting point of the deep network (pretraining as
//   initialisation). Optionally each floor's decoder reuses its encoder's
//   weights transposed (tied weights, --tied).
//
// How to run it
//   scripts/lesson 03_stacked               the full run (--quick: seconds)
//   scripts/lesson 03_stacked --step=epoch  pause after each step and epoch
//   scripts/lesson 03_stacked --resume      continue an interrupted run
//   scripts/lesson 03_stacked --help        the flags that change the recipe
//
// What to look for: printed when the run starts (look_for, below) and at the
// top of the lesson's page; a full run's figures are in lessons/README.md.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "common.hpp"
#include "hourglass/hourglass.hpp"

using hg::Var;

enum class Activation { Sigmoid, Relu };

Var activate(Var t, Activation f) { return f == Activation::Sigmoid ? sigmoid(t) : relu(t); }
hg::Init init_for(Activation f) { return f == Activation::Relu ? hg::Init::He : hg::Init::Xavier; }

// ---------------------------------------------------------------------------
// One floor: a shallow autoencoder in → out → in, trained alone during
// pretraining, then one encoder and one decoder layer of the stack.
//   encode:  h' = f(W h + b)          W: (out, in),  b: (1, out)
//   decode:  ĥ  = g(V h' + c)         V: (in, out),  c: (1, in)
// Tied weights: V = Wᵀ. The product h'·W (B, out)·(out, in) uses W as stored, and the tape
// adds the gradients of both uses into the one W: dW = dW_encoder + dW_decoderᵀ. Half the
// weights, and encoder and decoder cannot drift apart.
struct Floor {
  hg::Linear enc;
  hg::Parameter V, c;  // V unused when tied
  bool tied;
  Activation f, g;     // g: sigmoid for the pixel floor, f otherwise
  Floor(int in, int out, bool tied_, Activation f_, Activation g_, hg::Rng& rng,
        const std::string& name)
      : enc(in, out, rng, init_for(f_), name + ".enc"), V(name + ".dec.W", hg::Tensor({in, out})),
        c(name + ".dec.b", hg::Tensor({1, in})), tied(tied_), f(f_), g(g_) {
    hg::init_weights(V.value, init_for(f), out, in, rng);
  }
  Var encode(Var h) { return activate(enc(h), f); }
  Var decode(Var z) {
    hg::Tape& tape = z.tape();
    Var pre = tied ? matmul(z, tape.param(enc.W())) + tape.param(c)  // z·W + c
                   : linear(z, tape.param(V), tape.param(c));        // z·Vᵀ + c
    return activate(pre, g);
  }
  Var reconstruct(Var h) { return decode(encode(h)); }
  hg::ParameterList params() { return tied ? hg::params(enc, c) : hg::params(enc, V, c); }
};

// The stack: floors 0..depth−1 encode in order and decode in mirror order.
// With depth < floors.size() it is the partial stack built so far.
struct StackedAutoencoder {
  std::vector<Floor> floors;
  StackedAutoencoder(const std::vector<int>& sizes, bool tied, Activation f, hg::Rng& rng) {
    floors.reserve(sizes.size() - 1);  // never reallocate: optimizers point in
    for (std::size_t k = 0; k + 1 < sizes.size(); ++k)
      floors.emplace_back(sizes[k], sizes[k + 1], tied, f, k == 0 ? Activation::Sigmoid : f,
                          rng, "floor" + std::to_string(k + 1));
  }
  Var reconstruct(Var x, std::size_t depth) {
    for (std::size_t k = 0; k < depth; ++k) x = floors[k].encode(x);
    for (std::size_t k = depth; k-- > 0;) x = floors[k].decode(x);
    return x;
  }
  Var reconstruct(Var x) { return reconstruct(x, floors.size()); }
  const hg::Tensor& W1() { return floors[0].enc.W().value; }  // the first layer's filters
  hg::ParameterList params() {
    hg::ParameterList all;
    for (Floor& fl : floors) all = hg::params(all, fl);
    return all;
  }
};

// The loss of every training run here, a floor's or the stack's: the mean
// over the batch of ‖h − ĥ‖² (h = x for the stack and the first floor).
template <class Model>
Var batch_loss(Model& model, Var h) { return mse(model.reconstruct(h), h); }

// ---------------------------------------------------------------------------
struct Settings {
  std::string activation = "sigmoid", optimizer = "adam";
  int pretrain_epochs = 3; float sgd_lr = 0.01f; bool tied = false;
  Activation units() const { return activation == "relu" ? Activation::Relu : Activation::Sigmoid; }
};

// Trains `model` on `data` with the optimizer the flags chose.
template <class Model>
lessons::Curves fit(hg::Lesson& lesson, const std::string& name, Model& model,
                    const hg::Dataset& data, int epochs, const Settings& s,
                    std::uint64_t seed, const std::function<double()>& validate) {
  std::unique_ptr<hg::Optimizer> opt;
  if (s.optimizer == "sgd")
    opt = std::make_unique<hg::SGD>(model.params(),
                                    hg::SGDOptions{.lr = s.sgd_lr, .momentum = 0.9f});
  else
    opt = std::make_unique<hg::Adam>(model.params(), hg::AdamOptions{.lr = lesson.options().lr});
  lessons::Run run{
      .name = name, .opt = *opt, .batch_size = lesson.options().batch_size,
      .rng = hg::Rng(seed), .checkpoint = true,
      .settings = {{"activation", s.activation}, {"optimizer", s.optimizer},
                   {"tied", s.tied ? "1" : "0"}, {"sgd_lr", std::to_string(s.sgd_lr)},
                   {"pretrain_epochs", std::to_string(s.pretrain_epochs)}},
      .loss = [&](hg::Tape& tape, const hg::Batch& b) {
        return batch_loss(model, tape.input(b.images));
      }};
  return lessons::train(lesson, run, data, epochs, validate);
}

double stack_error(StackedAutoencoder& ae, const hg::Dataset& data, std::size_t depth) {
  return lessons::error_per_pixel(data, [&](Var x) { return ae.reconstruct(x, depth); });
}

// How far training moved a layer's filters: per row (unit) j, ‖w_j − w⁰_j‖ / ‖w⁰_j‖, and the
// median over the units. The median, not the whole matrix's norm: a few filters that grew
// large would hide many the gradient hardly reached.
double median_filter_change(const hg::Tensor& W, const hg::Tensor& W0) {
  std::vector<double> change;
  for (int j = 0; j < W.rows(); ++j) {
    double moved = 0, start = 0;
    for (int i = 0; i < W.cols(); ++i) {
      const double d = W.at(j, i) - W0.at(j, i);
      moved += d * d;
      start += double(W0.at(j, i)) * W0.at(j, i);
    }
    change.push_back(std::sqrt(moved / start));
  }
  std::nth_element(change.begin(), change.begin() + change.size() / 2, change.end());
  return change[change.size() / 2];
}

// 64 of the first floor's filters (rows of W_1) as 28×28 images.
void save_filters(hg::Lesson& lesson, const std::string& file, const hg::Tensor& W,
                  const hg::Dataset& data, const std::string& caption) {
  hg::write_png(lesson.out_path(file),
                hg::filter_grid(hg::first_rows(W, std::min(64, W.rows())), data.height,
                                data.width, 16, hg::FilterScale::Symmetric, {.scale = 2}));
  lesson.figure(file, caption);
}

// ---------------------------------------------------------------------------
// The steps.
hg::LessonData load(hg::Lesson& lesson, hg::Rng& rng, const Settings& s) {
  hg::check(s.activation == "sigmoid" || s.activation == "relu",
            "03_stacked: --activation expects sigmoid or relu, got \"", s.activation, "\"");
  hg::check(s.optimizer == "adam" || s.optimizer == "sgd",
            "03_stacked: --optimizer expects adam or sgd, got \"", s.optimizer, "\"");
  lesson.step(1, "Load Fashion-MNIST",
              "As in lesson 01: training images, 5,000 for validation, the test "
              "images kept for the end; and the recipe the flags chose.");
  hg::LessonData data = lessons::load_data(lesson, rng);
  std::printf("network 784-256-64-32-64-256-784, %s units, %s%s\n", s.activation.c_str(),
              s.optimizer.c_str(), s.tied ? ", tied weights" : "");
  lesson.result("relu", "relu units (0 = sigmoid)", s.activation == "relu");
  lesson.result("tied", "tied weights (0 = untied)", s.tied);
  return data;
}

struct Baselines { double mean_image, pca; };
Baselines baselines(hg::Lesson& lesson, const hg::LessonData& data, int code_size) {
  lesson.step(2, "Two bars to clear: the mean image and PCA",
              "The mean image is what a network that learned nothing scores; "
              "PCA with as many components as the code is the best linear "
              "autoencoder. Depth is worth it only below PCA.");
  const hg::PCA pca = hg::fit_pca(data.train.images, code_size);
  const Baselines b{lessons::mean_image_error(data.train, data.test),
                    hg::error_per_pixel(data.test.images, pca.reconstruct(data.test.images))};
  std::printf("test error per pixel: mean image %.5f, PCA(%d) %.5f\n", b.mean_image,
              code_size, b.pca);
  lesson.result("code_size", "code size", code_size);
  lesson.result("mean_test_error", "mean image: test error per pixel", b.mean_image);
  lesson.result("pca_test_error", "PCA: test error per pixel", b.pca);
  return b;
}

// Returns the validation error of the partial stack after every epoch.
hg::Series pretrain(hg::Lesson& lesson, const hg::LessonData& data, StackedAutoencoder& stacked,
                    const std::vector<int>& sizes, const Settings& s) {
  lesson.step(3, "Greedy pretraining, one floor at a time",
              "Floor k learns to reconstruct the codes of the frozen floors below it; each problem "
              "is shallow. After each epoch the partial stack (floors 1..k up and down) is "
              "measured on the validation images in pixels: the greedy network as it grows.");
  hg::Series greedy{"greedy stack", {}, {}};
  hg::Dataset inputs = data.train;  // h^0 = x
  for (std::size_t k = 0; k + 1 < sizes.size(); ++k) {
    Floor& floor = stacked.floors[k];
    std::printf("floor %zu: %d-%d-%d on %s\n", k + 1, sizes[k], sizes[k + 1], sizes[k],
                k == 0 ? "the images" : "the codes below");
    const lessons::Curves c = fit(lesson, "floor" + std::to_string(k + 1), floor, inputs,
                                  s.pretrain_epochs, s, lesson.options().seed + 1 + 10 * k,
                                  [&] { return stack_error(stacked, data.validation, k + 1); });
    for (double e : c.epoch) greedy.x.push_back(double(k) * s.pretrain_epochs + e);
    greedy.y.insert(greedy.y.end(), c.val_error.begin(), c.val_error.end());
    if (k + 2 < sizes.size()) {  // freeze this floor; its codes feed the next
      inputs.images = lessons::forward_all(inputs.images, [&](Var h) { return floor.encode(h); });
      inputs.height = 1, inputs.width = inputs.images.cols();
    }
  }
  lesson.result("depth", "floors (encoder layers)", double(sizes.size() - 1));
  save_filters(lesson, "filters_pretrained.png", stacked.W1(), data.test,
               "64 rows of W_1 after pretraining: garment outlines under a speckle; "
               "corner pixels are 0 in nearly every image, so their weights get no "
               "gradient and keep their random start");
  return greedy;
}

// Floor 1 alone is measured here: training the floors above did not change it.
double stacked_start(hg::Lesson& lesson, const hg::LessonData& data, StackedAutoencoder& stacked) {
  lesson.step(4, "Stack the floors: the deep autoencoder, before fine-tuning",
              "Encoders up, decoders down. No floor was trained for this: each "
              "decodes an input it never quite saw, and the errors add up on "
              "the way down. Compare the stack with floor 1 alone.");
  const double floor1 = stack_error(stacked, data.test, 1);
  const double error = stack_error(stacked, data.test, stacked.floors.size());
  std::printf("test error per pixel: floor 1 alone %.5f, whole stack %.5f\n", floor1, error);
  lesson.result("floor1_test_error", "floor 1 alone: test error", floor1);
  lesson.result("pretrained_test_error", "stack, pretrained only: test error", error);
  return error;
}

// A trained stack: its reconstructions of the test images, their error per pixel, its curves.
struct Trained { hg::Tensor images; double error; lessons::Curves curves; };
// Steps 5 and 6: the whole stack trained end to end; 64 of its first-layer filters drawn.
Trained train_stack(hg::Lesson& lesson, const std::string& name, const hg::LessonData& data,
                    StackedAutoencoder& ae, const Settings& s, int epochs,
                    std::uint64_t seed, const std::string& filters_caption) {
  Trained t;
  t.curves = fit(lesson, name, ae, data.train, epochs, s, seed,
                 [&] { return stack_error(ae, data.validation, ae.floors.size()); });
  t.images = lessons::forward_all(data.test.images, [&](Var x) { return ae.reconstruct(x); });
  t.error = hg::error_per_pixel(data.test.images, t.images);
  save_filters(lesson, "filters_" + name + ".png", ae.W1(), data.test, filters_caption);
  return t;
}

Trained finetune(hg::Lesson& lesson, const hg::LessonData& data,
                 StackedAutoencoder& stacked, const Settings& s) {
  lesson.step(5, "Fine-tune the whole stack end to end",
              "One loss, ‖x − x̂‖² in pixels, backpropagated through all the "
              "layers at once, from where pretraining left them.");
  const Trained ft = train_stack(lesson, "finetune", data, stacked, s, lesson.options().epochs,
                                 lesson.options().seed + 2,
                                 "the same 64 filters after fine-tuning");
  lesson.result("finetuned_test_error", "stack, fine-tuned: test error", ft.error);
  return ft;
}

Trained from_scratch(hg::Lesson& lesson, const hg::LessonData& data,
                     StackedAutoencoder& scratch, const Settings& s, const hg::Tensor& W1_start,
                     const hg::Tensor& W1_pretrained, const hg::Tensor& W1_finetuned) {
  lesson.step(6, "The same network from a random start, same number of epochs",
              "Same sizes, units and optimizer, trained end to end for as many "
              "epochs as pretraining and fine-tuning together. Then how far each "
              "training moved the first layer's filters, the median of "
              "‖w − w⁰‖/‖w⁰‖: compare the numbers with the pictures.");
  const int epochs = int(scratch.floors.size()) * s.pretrain_epochs + lesson.options().epochs;
  const hg::Tensor W1_scratch_start = scratch.W1();
  const Trained sc = train_stack(lesson, "scratch", data, scratch, s, epochs,
                                 lesson.options().seed + 3, "64 filters of the net trained "
                                 "from scratch: a few smooth templates, many still noise");
  const double moved[3] = {median_filter_change(W1_pretrained, W1_start),
                           median_filter_change(W1_finetuned, W1_pretrained),
                           median_filter_change(scratch.W1(), W1_scratch_start)};
  std::printf("first-layer filters moved (median ‖w − w⁰‖/‖w⁰‖): by pretraining "
              "%.3f, then by fine-tuning %.3f; from scratch %.3f\n", moved[0], moved[1], moved[2]);
  lesson.result("scratch_epochs", "from-scratch epochs", epochs);
  lesson.result("scratch_test_error", "from scratch: test error", sc.error);
  lesson.result("w1_median_change_by_pretraining",
                "W_1 filters, median ‖w − w⁰‖/‖w⁰‖: by pretraining", moved[0]);
  lesson.result("w1_median_change_by_finetuning",
                "...by fine-tuning (from the pretrained W_1)", moved[1]);
  lesson.result("w1_median_change_from_scratch", "...by training from scratch", moved[2]);
  return sc;
}

void pictures(hg::Lesson& lesson, const hg::LessonData& data, const hg::Series& greedy,
              const Trained& ft, const Trained& sc, double pca, double pretrain_epochs) {
  hg::Series finetune{"fine-tuning", {}, ft.curves.val_error};
  for (double e : ft.curves.epoch) finetune.x.push_back(pretrain_epochs + e);
  const double last = sc.curves.epoch.empty() ? 1.0 : sc.curves.epoch.back();
  hg::save_svg(lesson.out_path("curves.svg"),
               hg::LinePlot{.title = "Lesson 3: validation error per pixel",
                            .x_label = "epochs spent", .y_label = "mean (x - x̂)²",
                            .series = {greedy, finetune,
                                       {"from scratch", sc.curves.epoch, sc.curves.val_error},
                                       {"PCA (k = code size)", {1.0, last}, {pca, pca}}},
                            .log_y = true});
  lesson.figure("curves.svg", "validation error against epochs spent: the greedy stack "
                "jumps at each new floor, fine-tuning brings it down; the scratch net's curve "
                "beside it");
  const int shown = std::min(12, data.test.size());
  hg::write_png(lesson.out_path("reconstructions.png"),
                hg::triples_grid(data.test.images, ft.images, sc.images, data.test.height,
                                 data.test.width, shown, shown, {.scale = 2}));
  lesson.figure("reconstructions.png", "rows of three: test images, the "
                "pretrained and fine-tuned stack, the net from scratch");
}

// Step 7: the verdict, computed. gain > 0: the pretrained net's error is
// that fraction below the scratch net's; gain < 0: the other way round.
void verdict(hg::Lesson& lesson, const Baselines& b, double pretrained, double finetuned,
             double scratch) {
  lesson.step(7, "The numbers, and which recipe wins",
              "Pretraining was invented for deep sigmoid nets under plain gradient descent, whose "
              "first layers get a gradient multiplied by many σ'(t) ≤ 1/4. ReLU units, careful "
              "initialisation and Adam ease that. The verdict below is computed, not assumed.");
  const double gain = (scratch - finetuned) / std::max(scratch, finetuned);
  std::printf("test error per pixel: pretrained only %.5f, fine-tuned %.5f, from "
              "scratch %.5f, PCA %.5f\n", pretrained, finetuned, scratch, b.pca);
  if (finetuned > pretrained)
    std::printf("note: fine-tuning made the stack worse: its step is too large "
                "for the deep network (try a smaller --lr or --sgd-lr)\n");
  if (std::fabs(gain) <= 0.02) std::printf("verdict: a draw (within 2%%)\n");
  else std::printf("verdict: %s wins, %.0f%% lower test error\n",
                   gain > 0 ? "pretraining + fine-tuning" : "training from scratch",
                   100 * std::fabs(gain));
  lesson.result("pretraining_gain", "(scratch − fine-tuned) / larger of the two", gain);
  lessons::warn_if_diverged(lesson, "the fine-tuned stack", finetuned, "mean image", b.mean_image);
  lessons::warn_if_diverged(lesson, "the net from scratch", scratch, "mean image", b.mean_image);
  lesson.try_this({
      {"--activation relu",
       "ReLU units: the net trained from scratch beats pretraining; both beat PCA."},
      {"--tied", "Half the weights: every error higher than untied; pretraining still wins."},
      {"--optimizer sgd", "Pretraining wins; from scratch, the first layer's filters hardly move."},
      {"--pretrain-epochs 1", "Every error higher; pretraining still wins by about as much."},
  });
}

// ---------------------------------------------------------------------------
int main(int argc, char** argv) {
  Settings s;
  const hg::LessonInfo info{
      .name = "03_stacked",
      .summary = "greedy layer-wise pretraining, then fine-tuning, against "
                 "the same deep autoencoder trained from scratch",
      .look_for = "In curves.svg the greedy stack's error jumps up as each floor is added, and "
                  "fine-tuning brings it down within a few epochs. Step 6: how far each training "
                  "moved the first layer's filters, beside their pictures (filters_*.png). Step 7: "
                  "pretrained, fine-tuned and from-scratch test errors beside PCA's, and which "
                  "recipe wins, computed.",
      .epochs = 6, .batch_size = 128, .lr = 1e-3f,
      .flags = {hg::flag("activation", &s.activation,
                         "hidden units: sigmoid or relu (default sigmoid)"),
                hg::flag("optimizer", &s.optimizer,
                         "adam (uses --lr) or sgd with momentum 0.9 (uses --sgd-lr)"),
                hg::flag("sgd-lr", &s.sgd_lr, "learning rate of SGD", 1e-6, 100),
                hg::flag("pretrain-epochs", &s.pretrain_epochs,
                         "epochs per floor in greedy pretraining", 1, 1000),
                hg::flag("tied", &s.tied, "decoder weights = encoder weights transposed")},
      .resumable = true};
  return hg::run_lesson(argc, argv, info, [&](hg::Lesson& lesson) {
    hg::Rng rng(lesson.options().seed);
    const hg::LessonData data = load(lesson, rng, s);
    const std::vector<int> sizes = {data.train.pixels(), 256, 64, 32};
    const Baselines base = baselines(lesson, data, sizes.back());
    StackedAutoencoder stacked(sizes, s.tied, s.units(), rng);
    const hg::Tensor W1_start = stacked.W1();
    const hg::Series greedy = pretrain(lesson, data, stacked, sizes, s);
    const hg::Tensor W1_pretrained = stacked.W1();
    const double pretrained = stacked_start(lesson, data, stacked);
    const Trained ft = finetune(lesson, data, stacked, s);
    StackedAutoencoder scratch(sizes, s.tied, s.units(), rng);
    const Trained sc =
        from_scratch(lesson, data, scratch, s, W1_start, W1_pretrained, stacked.W1());
    pictures(lesson, data, greedy, ft, sc, base.pca, (sizes.size() - 1) * s.pretrain_epochs);
    verdict(lesson, base, pretrained, ft.error, sc.error);
  });
}
