// The lessons' train/validation/test sets; see lesson_data.hpp.
#include "hourglass/data/lesson_data.hpp"

#include "hourglass/data/synthetic.hpp"
#include "hourglass/error.hpp"

namespace hg {

namespace {

constexpr int kQuickTrain = 512, kQuickValidation = 128, kQuickTest = 256;
constexpr int kSyntheticTrain = 6000, kSyntheticValidation = 1000,
              kSyntheticTest = 1000;

// The fewest images a lesson can work with: the validation set is split off
// the training images, and what is left must fill a quick run's sets.
constexpr int kMinTrain = kValidationSize + kQuickTrain;
constexpr int kMinTest = kQuickTest;

// Every lesson takes the image size from the training set and reads all
// three sets with it: a test set of another size would be read with the
// wrong stride (past the end of its rows). So the sets must agree.
void check_same_image_size(const Dataset& train, const Dataset& test,
                           const std::string& dir) {
  check(train.height == test.height && train.width == test.width,
        "load_lesson_data: the training images are ", train.height, "×",
        train.width, " (", fashion_mnist_images_path(dir, Split::Train),
        ") but the test images are ", test.height, "×", test.width, " (",
        fashion_mnist_images_path(dir, Split::Test),
        "); expected every set to hold images of one size");
}

// Counted in images, as a learner would count them, before split_off or
// PCA would fail on a set too small with a message in their own terms.
void check_enough_images(const Dataset& train, const Dataset& test,
                         const std::string& dir) {
  check(train.size() >= kMinTrain, "load_lesson_data: ",
        fashion_mnist_images_path(dir, Split::Train), " holds ", train.size(),
        " training images; the lessons need at least ", kMinTrain, " (",
        kValidationSize, " are set aside for validation, and at least ",
        kQuickTrain, " are left to train on)");
  check(test.size() >= kMinTest, "load_lesson_data: ",
        fashion_mnist_images_path(dir, Split::Test), " holds ", test.size(),
        " test images; the lessons need at least ", kMinTest);
}

// Within a set, one label per image and one row of height × width pixels
// per image.
void check_set(const Dataset& d, const char* which) {
  check(d.images.rank() == 2 && d.images.rows() == d.size() &&
            d.images.cols() == d.pixels(),
        "load_lesson_data: the ", which, " set has images ", d.images.shape(),
        " for ", d.size(), " labels of ", d.height, "×", d.width,
        " pixels (expected (", d.size(), ", ", d.pixels(), "))");
}

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
  check_same_image_size(d.train, d.test, dir);
  check_enough_images(d.train, d.test, dir);
  check_set(d.train, "training");
  check_set(d.test, "test");
  d.validation = split_off(d.train, kValidationSize, rng);
  if (quick) {
    d.train = take(d.train, kQuickTrain);
    d.validation = take(d.validation, kQuickValidation);
    d.test = take(d.test, kQuickTest);
  }
  return d;
}

}  // namespace hg
