// The lessons' train/validation/test sets; see lesson_data.hpp.
#include "hourglass/data/lesson_data.hpp"

#include "hourglass/data/synthetic.hpp"

namespace hg {

namespace {

constexpr int kQuickTrain = 512, kQuickValidation = 128, kQuickTest = 256;
constexpr int kSyntheticTrain = 6000, kSyntheticValidation = 1000,
              kSyntheticTest = 1000;

}  // namespace

LessonData load_lesson_data(const std::string& dir, bool synthetic, bool quick,
                            Rng& rng) {
  LessonData d;
  d.synthetic = synthetic;
  if (synthetic) {
    // Generate only what is used: quick runs make a few hundred images.
    d.train = synthetic_shapes(quick ? kQuickTrain : kSyntheticTrain, rng);
    d.validation =
        synthetic_shapes(quick ? kQuickValidation : kSyntheticValidation, rng);
    d.test = synthetic_shapes(quick ? kQuickTest : kSyntheticTest, rng);
    return d;
  }
  // Test first: if the files are missing, the error comes before the
  // larger train file is read.
  d.test = load_fashion_mnist(dir, Split::Test);
  d.train = load_fashion_mnist(dir, Split::Train);
  d.validation = split_off(d.train, kValidationSize, rng);
  if (quick) {
    d.train = take(d.train, kQuickTrain);
    d.validation = take(d.validation, kQuickValidation);
    d.test = take(d.test, kQuickTest);
  }
  return d;
}

}  // namespace hg
