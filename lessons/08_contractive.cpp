// Lesson 08_contractive: not written yet.
#include <cstdio>
int main() {
  std::fprintf(stderr, "lesson 08_contractive is not written yet\n");
  return 1;
}
