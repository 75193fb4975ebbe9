// The lessons' shared helpers (see common.hpp for what each one is for).
#include "common.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "hourglass/autodiff/guard.hpp"

namespace lessons {

hg::LessonData load_data(hg::Lesson& lesson, hg::Rng& rng) {
  const hg::LessonOptions& o = lesson.options();
  hg::LessonData data = hg::load_lesson_data(o.data_dir, o.synthetic, o.quick, rng);
  std::printf("train %d, validation %d, test %d images of %dx%d%s\n", data.train.size(),
              data.validation.size(), data.test.size(), data.test.height, data.test.width,
              data.synthetic ? " (synthetic shapes)" : "");
  return data;
}

hg::Tensor forward_all(const hg::Tensor& images, const Forward& forward,
                       int batch) {
  const int N = images.rows(), P = images.cols();
  hg::Tape tape;
  hg::Tensor chunk, out;
  for (int start = 0; start < N; start += batch) {
    const int B = std::min(batch, N - start);
    chunk.resize(hg::Shape{B, P});
    std::copy_n(images.data() + std::size_t(start) * P, chunk.size(), chunk.data());
    tape.clear();
    const hg::Tensor& y = forward(tape.input(chunk)).value();
    if (start == 0) out.resize(hg::Shape{N, y.cols()});
    std::copy(y.begin(), y.end(), out.data() + std::size_t(start) * y.cols());
  }
  return out;
}

double error_per_pixel(const hg::Dataset& data, const Forward& reconstruct) {
  return hg::error_per_pixel(data.images, forward_all(data.images, reconstruct));
}

namespace {

// The training set's mean image, pixel by pixel, after checking that the
// test images are of the same size.
std::vector<double> mean_image(const hg::Dataset& train, const hg::Dataset& test) {
  hg::check(train.height == test.height && train.width == test.width,
            "mean image: the training images are ", train.height, "×",
            train.width, " but the test images are ", test.height, "×",
            test.width, "; both sets must hold images of one size");
  std::vector<double> mean(train.pixels(), 0.0);
  for (int i = 0; i < train.size(); ++i)
    for (int p = 0; p < train.pixels(); ++p) mean[p] += train.images.at(i, p);
  for (double& m : mean) m /= train.size();
  return mean;
}

}  // namespace

double mean_image_error(const hg::Dataset& train, const hg::Dataset& test) {
  const std::vector<double> mean = mean_image(train, test);
  hg::Tensor answer(test.images.shape());
  for (int i = 0; i < test.size(); ++i)
    for (int p = 0; p < test.pixels(); ++p) answer.at(i, p) = float(mean[p]);
  return hg::error_per_pixel(test.images, answer);
}

double mean_image_bce(const hg::Dataset& train, const hg::Dataset& test) {
  std::vector<float> logit;  // log(p / (1 − p)) of each pixel's mean
  for (double p : mean_image(train, test)) {
    p = std::clamp(p, 1e-6, 1 - 1e-6);
    logit.push_back(float(std::log(p / (1 - p))));
  }
  double sum = 0;
  for (int i = 0; i < test.size(); ++i) sum += hg::bce_of_image(logit, test.images.row(i));
  return sum / test.size();
}

// ---- --step stops ---------------------------------------------------------

namespace {

double norm(const hg::Tensor& t) {
  double s = 0;
  for (float v : t) s += double(v) * v;
  return std::sqrt(s);
}

std::string shape_text(const hg::Tensor& t) {
  std::ostringstream s;
  s << t.shape();
  return s.str();
}

}  // namespace

StepWatch::StepWatch(hg::Lesson& lesson, Run& run, bool last_batch_of_epoch)
    : lesson_(lesson),
      run_(run),
      batch_stop_(lesson.stops_at_batch(run.steps - run.first_step)),
      measure_(batch_stop_ || (last_batch_of_epoch && lesson.stops_at_epoch())) {
  if (!measure_) return;
  for (const hg::Parameter* p : run.opt.parameters()) before_.push_back(p->value);
}

void StepWatch::after_step(double loss, int epoch, int batch, int batches) {
  if (!measure_) return;
  hg::TrainingWatch& w = run_.watch;
  w.where = run_.name + ": epoch " + std::to_string(epoch) + ", batch " +
            std::to_string(batch) + " of " + std::to_string(batches);
  w.loss = loss;
  w.params.clear();
  const hg::ParameterList& params = run_.opt.parameters();
  for (std::size_t i = 0; i < params.size(); ++i) {
    const hg::Parameter& p = *params[i];
    double moved = 0;  // ‖w_after − w_before‖
    for (std::size_t j = 0; j < p.value.size(); ++j) {
      const double d = double(p.value[j]) - before_[i][j];
      moved += d * d;
    }
    const double size = norm(before_[i]);
    w.params.push_back({p.name, shape_text(p.value), norm(p.grad),
                        size > 0 ? std::sqrt(moved) / size : std::sqrt(moved)});
  }
  if (batch_stop_) lesson_.stop(w);
}

void stop_after_epoch(hg::Lesson& lesson, Run& run, int epoch, int epochs,
                      double mean_loss) {
  if (!lesson.stops_at_epoch()) return;
  hg::TrainingWatch w = run.watch;  // the epoch's last batch
  char mean[32];
  std::snprintf(mean, sizeof mean, "%.6g", mean_loss);
  w.where = run.name + ": end of epoch " + std::to_string(epoch) + "/" +
            std::to_string(epochs) + ", mean loss " + mean +
            "; the last batch:";
  lesson.stop(w);
}

// ---- Training -------------------------------------------------------------

double train_epoch(hg::Lesson& lesson, Run& run, const hg::Dataset& train,
                   int epoch, int epochs) {
  hg::ProgressBar bar(epoch, epochs, train.size());
  hg::Batches batches = hg::batches(train, run.batch_size, run.rng);
  double loss_sum = 0;
  int seen = 0;
  for (const hg::Batch& batch : batches) {
    run.tape.clear();
    hg::Var loss = run.loss(run.tape, batch);
    run.opt.zero_grad();
    run.tape.backward(loss);
    hg::check_finite(run.tape, loss, ++run.steps);
    StepWatch watch(lesson, run, batch.index + 1 == batches.size());
    run.opt.step();
    watch.after_step(loss.item(), epoch, batch.index + 1, batches.size());
    loss_sum += loss.item() * batch.size();
    seen += batch.size();
    bar.update(seen, loss_sum / seen);
  }
  bar.finish(loss_sum / seen);
  stop_after_epoch(lesson, run, epoch, epochs, loss_sum / seen);
  return loss_sum / seen;
}

Curves train(hg::Lesson& lesson, Run& run, const hg::Dataset& train, int epochs,
             const std::function<double()>& validate, const EpochFn& epoch_fn) {
  Curves curves;
  const hg::LessonOptions& o = lesson.options();
  hg::OptimizerState state = run.opt.state();
  hg::TrainingState checkpoint{
      .params = run.opt.parameters(),
      .optimizer = state.tensors,
      .optimizer_steps = state.steps,
      .rng = &run.rng,
      .series = {{"epoch", &curves.epoch},
                 {"train_loss", &curves.train_loss},
                 {"val_error", &curves.val_error}},
      .tag = run.settings};
  checkpoint.tag.insert({{"lesson", lesson.info().name},
                         {"run", run.name},
                         {"seed", std::to_string(o.seed)},
                         {"batch_size", std::to_string(run.batch_size)},
                         {"lr", hg::exact_text(run.opt.lr())},
                         {"data", o.synthetic ? "synthetic" : o.quick ? "quick" : "full"}});
  const std::string path = lesson.out_path(run.name + "_checkpoint.safetensors");
  hg::check(!run.checkpoint || lesson.info().resumable, lesson.info().name,
            ": run \"", run.name, "\" keeps a checkpoint, so its LessonInfo "
            "needs .resumable = true");
  const long per_epoch = (train.size() + run.batch_size - 1) / run.batch_size;
  if (run.checkpoint && o.resume && hg::resume_training(path, checkpoint, epochs)) {
    std::printf("resuming %s from %s after epoch %d\n", run.name.c_str(),
                path.c_str(), checkpoint.epoch);
    run.steps = checkpoint.epoch * per_epoch;
  }
  run.first_step = run.steps;
  for (int e = checkpoint.epoch + 1; e <= epochs; ++e) {
    curves.epoch.push_back(e);
    curves.train_loss.push_back(epoch_fn(lesson, run, train, e, epochs));
    ++curves.trained;
    if (validate) curves.val_error.push_back(validate());
    if (!run.checkpoint) continue;
    checkpoint.epoch = e;
    hg::save_training(path, checkpoint);
  }
  return curves;
}

// ---- Reporting --------------------------------------------------------------

bool warn_if_diverged(hg::Lesson& lesson, const std::string& what, double error,
                      const std::string& baseline_name, double baseline) {
  if (error <= baseline) return false;  // also true for NaN: it warns
  const bool stalled = error <= 1.05 * baseline;
  char text[256];
  std::snprintf(text, sizeof text,
                "training %s: %s ends at a test error per pixel of %.6g, %s the %s (%.6g)",
                stalled ? "stalled" : "diverged", what.c_str(), error,
                stalled ? "no better than" : "worse than", baseline_name.c_str(), baseline);
  lesson.warn(text);
  return true;
}

}  // namespace lessons
