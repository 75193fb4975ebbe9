// Lesson 06_variational: not written yet.
#include <cstdio>
int main() {
  std::fprintf(stderr, "lesson 06_variational is not written yet\n");
  return 1;
}
