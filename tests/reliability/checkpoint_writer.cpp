// A process that does nothing but save training checkpoints, as fast as it
// can, until it is killed: test_checkpoint kills it with SIGKILL at random
// moments and checks that the file it leaves always loads whole.
//
//   checkpoint_writer PATH     saves epoch 1, 2, 3, ... with every weight
//                              equal to the epoch, forever
#include <cstdio>

#include "hourglass/io/checkpoint.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: checkpoint_writer PATH\n");
    return 2;
  }
  // 4 MB of weights: big enough that a kill often lands mid-write.
  hg::Parameter W("W", hg::Tensor({1024, 1024})), b("b", hg::Tensor({1, 1024}));
  hg::TrainingState state{.params = {&W, &b}};
  for (int epoch = 1;; ++epoch) {
    W.value.fill(float(epoch));
    b.value.fill(float(epoch));
    state.epoch = epoch;
    hg::save_training(argv[1], state);
  }
}
