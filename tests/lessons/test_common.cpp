// The lessons' shared harness (lessons/common.hpp) on models small enough to
// work out by hand: the mean-image baseline, evaluation in batches, the NaN
// stop, the diverged warning, the numbers a --step stop shows, and resume.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "../io/args.hpp"
#include "../io/temp_dir.hpp"
#include "common.hpp"

namespace {

// `n` images of 1×2 pixels, all equal to (a, b).
hg::Dataset tiny_set(int n, float a = 0.5f, float b = 0.25f) {
  hg::Dataset d;
  d.images = hg::Tensor(hg::Shape{n, 2});
  for (int i = 0; i < n; ++i) d.images.at(i, 0) = a, d.images.at(i, 1) = b;
  d.labels.assign(n, 0);
  d.height = 1;
  d.width = 2;
  d.class_names = {"one"};
  return d;
}

// argv for run_lesson.
const hg::LessonInfo kInfo{.name = "99_test", .summary = "a test lesson",
                           .epochs = 2, .batch_size = 2, .lr = 0.5f,
                           .resumable = true};

// One parameter w = (3, 4) and the loss L = Σ w, so ∂L/∂w = (1, 1) on every
// batch: SGD at lr 0.5 moves w by (−0.5, −0.5) each step.
struct Line {
  hg::Parameter w{"w", hg::Tensor(hg::Shape{1, 2}, {3.0f, 4.0f})};
  hg::SGD sgd{{&w}, {.lr = 0.5f}};
  lessons::Run run{.name = "sgd", .opt = sgd, .batch_size = 2,
                   .rng = hg::Rng(1), .checkpoint = false, .settings = {},
                   .loss = [this](hg::Tape& tape, const hg::Batch&) {
                     return hg::sum(tape.param(w));
                   }};
};

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t p = text.find(what); p != std::string::npos;
       p = text.find(what, p + 1))
    ++n;
  return n;
}

}  // namespace

TEST_SUITE("lesson_common") {
  TEST_CASE("the mean image: the training set's mean pixel, scored on the test set") {
    hg::Dataset train = tiny_set(2);
    train.images.at(0, 0) = 0.0f;  // pixel 0: 0 and 1, mean 0.5
    train.images.at(1, 0) = 1.0f;  // pixel 1: 0.25 and 0.25
    const hg::Dataset test = tiny_set(3, 1.0f, 0.25f);
    // Errors 0.5² and 0 in every row: (0.25 + 0) / 2 per pixel.
    CHECK(lessons::mean_image_error(train, test) == doctest::Approx(0.125));
    // Scored by BCE: ink probabilities 0.5 and 0.25 against pixels 1 and
    // 0.25: −log 0.5 − (0.25 log 0.25 + 0.75 log 0.75) per image.
    CHECK(lessons::mean_image_bce(train, test) ==
          doctest::Approx(std::log(2.0) - 0.25 * std::log(0.25) - 0.75 * std::log(0.75)));
  }

  TEST_CASE("the mean image refuses sets of two image sizes, naming both") {
    hg::Dataset train = tiny_set(4), test = tiny_set(4);
    train.height = 28, train.width = 28;
    train.images = hg::Tensor(hg::Shape{4, 784});
    test.height = 14, test.width = 14;
    test.images = hg::Tensor(hg::Shape{4, 196});
    for (auto score : {lessons::mean_image_error, lessons::mean_image_bce}) {
      std::string message;
      try {
        score(train, test);
      } catch (const hg::Error& e) {
        message = e.what();
      }
      CHECK(message.find("28×28") != std::string::npos);
      CHECK(message.find("14×14") != std::string::npos);
    }
  }

  TEST_CASE("forward_all runs every row once, in order, across batches") {
    hg::Tensor images(hg::Shape{7, 2});
    for (int i = 0; i < 7; ++i) images.at(i, 0) = float(i), images.at(i, 1) = -float(i);
    int calls = 0;
    const hg::Tensor out = lessons::forward_all(
        images, [&](hg::Var x) { ++calls; return hg::sum_cols(x * 2.0f); }, 3);
    CHECK(calls == 3);  // 3 + 3 + 1 rows
    REQUIRE(out.shape() == hg::Shape{7, 1});
    for (int i = 0; i < 7; ++i) CHECK(out.at(i, 0) == 0.0f);
    const hg::Tensor same = lessons::forward_all(images, [](hg::Var x) { return x; }, 3);
    for (int i = 0; i < 7; ++i) CHECK(same.at(i, 0) == float(i));
  }

  TEST_CASE("a stop shows ‖∂L/∂w‖ and ‖Δw‖/‖w‖ of the step just taken") {
    hg::LessonOptions o;
    o.step = hg::StepMode::Batches;
    std::istringstream in(std::string(10, '\n'));
    std::ostringstream out;
    hg::Lesson lesson(kInfo, o, in, out, /*interactive=*/false);
    Line line;
    lessons::train(lesson, line.run, tiny_set(4), 2);
    const std::string s = out.str();
    // ‖(1, 1)‖ = √2; the first step moves (3, 4) by ‖(0.5, 0.5)‖ = √2/2,
    // relative to ‖(3, 4)‖ = 5: 0.1414.
    CHECK(s.find("-- stop: sgd: epoch 1, batch 1 of 2 --\n   loss 7\n") !=
          std::string::npos);
    CHECK(s.find("   w            (1, 2)              1.414       0.1414\n") !=
          std::string::npos);
    // Batches 1-3 of the run stop, and the end of each epoch: 2 + 1 + 2.
    CHECK(count(s, "-- stop:") == 5);
    CHECK(count(s, "-- stop: sgd: end of epoch") == 2);
    CHECK(line.w.value[0] == doctest::Approx(1.0));  // four steps of 0.5

    auto stops_under = [&](hg::StepMode mode) {  // the same two epochs, another --step
      o.step = mode;
      std::ostringstream printed;
      hg::Lesson l(kInfo, o, in, printed, false);
      Line fresh;
      lessons::train(l, fresh.run, tiny_set(4), 2);
      return count(printed.str(), "-- stop:");
    };
    CHECK(stops_under(hg::StepMode::Epochs) == 2);
    CHECK(stops_under(hg::StepMode::Off) == 0);
  }

  TEST_CASE("a non-finite loss stops the lesson: exit 1, the step and op named, no results") {
    TempDir dir;
    const std::string out_dir = dir.file("nan");
    std::filesystem::create_directories(out_dir);
    std::ofstream(out_dir + "/results.txt") << "error 0.01\n";  // an earlier run's
    const Args a{"--out", out_dir, "--threads", "1"};
    std::istringstream in;
    std::ostringstream out, err;
    int epochs_done = 0;
    const int code = hg::run_lesson(
        a.argc(), a.argv(), kInfo,
        [&](hg::Lesson& lesson) {
          Line line;
          // L = log(Σ w), ∂L/∂w_i = 1/Σ w. From Σ w = 7, one step at lr 30
          // moves each w_i by −30/7: Σ w < 0, and step 2's log is NaN.
          line.run.loss = [&](hg::Tape& tape, const hg::Batch&) {
            return hg::log(hg::sum(tape.param(line.w)));
          };
          line.sgd.set_lr(30.0f);
          lessons::train(lesson, line.run, tiny_set(4), 100,
                         [&] { return double(++epochs_done); });
          lesson.result("error", "error", 0.02);
        },
        in, out, err);
    CHECK(code == 1);
    INFO("stderr: ", err.str());
    CHECK(err.str().find("error: training step 2: ") == 0);
    CHECK(err.str().find("\"log\"") != std::string::npos);
    CHECK(epochs_done < 100);
    CHECK_FALSE(std::filesystem::exists(out_dir + "/results.txt"));
  }

  TEST_CASE("a finite run worse than the baseline is flagged under the table, stalled or diverged") {
    TempDir dir;
    const Args a{"--out", dir.file("w"), "--threads", "1"};
    std::istringstream in;
    std::ostringstream out, err;
    bool flagged = false, kept_quiet = false, stalled = false;
    CHECK(hg::run_lesson(a.argc(), a.argv(), kInfo,
                         [&](hg::Lesson& lesson) {
                           kept_quiet = !lessons::warn_if_diverged(
                               lesson, "Adam", 0.05, "mean image", 0.08);
                           flagged = lessons::warn_if_diverged(
                               lesson, "SGD", 0.25, "mean image", 0.08);
                           stalled = lessons::warn_if_diverged(
                               lesson, "small code", 0.0802, "mean image", 0.08);
                           lesson.result("sgd", "SGD error", 0.25);
                         },
                         in, out, err) == 0);
    CHECK(kept_quiet);
    CHECK(flagged);
    CHECK(stalled);
    const std::string s = out.str();
    const std::size_t warning = s.find(
        "warning: training diverged: SGD ends at a test error per pixel of "
        "0.25, worse than the mean image (0.08)\n");
    CHECK(warning != std::string::npos);
    CHECK(s.find("== Results") < warning);
    CHECK(s.find("warning: training stalled: small code ends at a test error per pixel of "
                 "0.0802, no better than the mean image (0.08)\n") != std::string::npos);
    CHECK(count(s, "warning:") == 2);
    hg::Lesson lesson(kInfo, hg::LessonOptions{}, in, out);
    CHECK(lessons::warn_if_diverged(lesson, "NaN run", std::nan(""), "mean image", 0.08));
  }

  TEST_CASE("train resumes from its checkpoint: 1 epoch + --resume to 3 == 3 straight") {
    TempDir dir;
    int validated = 0;  // epochs trained (validate runs after each)
    auto run_to = [&](const std::string& out_dir, int epochs, bool resume,
                      lessons::Curves* curves) {
      validated = 0;
      hg::LessonOptions o;
      o.out_dir = out_dir;
      o.resume = resume;
      std::istringstream in;
      std::ostringstream out;
      hg::Lesson lesson(kInfo, o, in, out);
      Line line;
      // A loss that depends on the batch order: Σ w·x over the batch.
      line.run.loss = [&](hg::Tape& tape, const hg::Batch& b) {
        return hg::sum(hg::matmul(tape.input(b.images), tape.param(line.w),
                                  false, true));
      };
      line.run.checkpoint = true;
      hg::Dataset data = tiny_set(6);
      for (int i = 0; i < 6; ++i) data.images.at(i, 0) = 0.1f * i;
      *curves = lessons::train(lesson, line.run, data, epochs,
                               [&] { ++validated; return double(line.w.value[0]); });
      return std::vector<float>(line.w.value.begin(), line.w.value.end());
    };
    std::filesystem::create_directories(dir.file("straight"));
    std::filesystem::create_directories(dir.file("resumed"));
    lessons::Curves straight, first, resumed;
    const std::vector<float> w3 = run_to(dir.file("straight"), 3, false, &straight);
    run_to(dir.file("resumed"), 1, false, &first);
    CHECK(std::filesystem::exists(dir.file("resumed/sgd_checkpoint.safetensors")));
    const std::vector<float> w13 = run_to(dir.file("resumed"), 3, true, &resumed);
    CHECK(validated == 2);  // epochs 2 and 3 only
    CHECK(w13 == w3);
    CHECK(resumed.epoch == straight.epoch);  // the curves come back too
    CHECK(resumed.val_error == straight.val_error);
    CHECK(resumed.train_loss == straight.train_loss);
    CHECK(straight.trained == 3);
    CHECK(resumed.trained == 2);  // what a lesson times per epoch divides by
  }
}
