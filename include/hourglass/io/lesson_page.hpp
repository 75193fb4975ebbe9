// A lesson run as one page to look at: index.html in the lesson's output
// folder, each picture beside the step that explains it. And the course
// page: index.html in a folder of lesson folders, linking every lesson page
// in it with one picture each.
//
// The page is built only from what the lesson registered as it ran (its
// LessonInfo, steps, figures, tables, results, warnings and "Try this"), so
// a lesson tells its story once. run_lesson writes both pages at the end of
// a successful run.
//
//   out/index.html               the course page
//   out/01_vanilla/index.html    one lesson's page
//   out/01_vanilla/loss.svg ...  its pictures, shown with <img>
//
// What it is not: a template engine or a general HTML writer. The pages are
// plain HTML with every element closed (so a small XML reader can check
// them), a little CSS, no scripts and nothing fetched from a network; they
// read the same offline and on a phone.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hg {

class Lesson;

// The page's file name inside a lesson's output folder.
inline constexpr const char* kLessonPageFile = "index.html";

// `text` safe inside HTML text and quoted attribute values: & < > " ' as
// character references.
std::string html_escape(std::string_view text);

// The figures the lesson registered whose files are not in its out dir.
std::vector<std::string> missing_figures(const Lesson& lesson);

// The lesson's page as HTML. A picture whose file is missing is shown as a
// marked box (class "missing") naming the file, not as a broken image.
// `course_link`: whether to link the course page, ../index.html.
std::string lesson_page_html(const Lesson& lesson, bool course_link = false);

// Writes lesson_page_html to <out>/index.html; returns that path.
std::string write_lesson_page(const Lesson& lesson, bool course_link = false);

// The course folder of a lesson's out dir: its parent, when the out dir is
// named after the lesson (out/01_vanilla, the default) and has a parent;
// otherwise "" (--out /tmp/x is not part of a course).
std::string course_folder(const std::string& out_dir,
                          const std::string& lesson_name);

// Writes <dir>/index.html linking the lesson page of every subfolder that
// holds one written by write_lesson_page, in order of folder name, each
// with the page's summary and its first picture; returns that path.
std::string write_course_page(const std::string& dir);
// The same, for cleaning up after a failed run: does nothing when `dir` is
// "" and never throws.
void refresh_course_page(const std::string& dir) noexcept;

}  // namespace hg
