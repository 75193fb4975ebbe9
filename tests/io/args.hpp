// argv for the lesson harness's tests, from a list of words: argv[0] is the
// program's name ("lesson"), the words follow.
//   const Args a{"--epochs", "3"};
//   hg::parse_lesson_flags(a.argc(), a.argv(), info);
#pragma once

#include <initializer_list>
#include <string>
#include <vector>

struct Args {
  std::vector<std::string> words;
  std::vector<const char*> ptrs;  // into words, which no longer grows
  Args(std::initializer_list<std::string> list) : words{"lesson"} {
    words.insert(words.end(), list.begin(), list.end());
    for (const std::string& w : words) ptrs.push_back(w.c_str());
  }
  int argc() const { return int(ptrs.size()); }
  const char* const* argv() const { return ptrs.data(); }
};
