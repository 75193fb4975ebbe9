#include "lesson_runner.hpp"
