// Lesson 07_convolutional: not written yet.
#include <cstdio>
int main() {
  std::fprintf(stderr, "lesson 07_convolutional is not written yet\n");
  return 1;
}
