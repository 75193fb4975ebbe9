// A lesson's page, index.html in its output folder: the lesson's story as
// it registered it while running, pictures beside the steps that made them.
#include "hourglass/io/lesson_page.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "hourglass/io/atomic_file.hpp"
#include "hourglass/io/lesson.hpp"
#include "page_html.hpp"

namespace hg {

namespace fs = std::filesystem;

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

namespace page {

// Small and quiet: a column of text, pictures as wide as it at most, tables
// that scroll sideways on a narrow screen instead of overflowing it.
constexpr const char* kStyle = R"(
body { font-family: system-ui, sans-serif; line-height: 1.5; color: #222;
       max-width: 48rem; margin: 0 auto; padding: 0.5rem 1rem 3rem; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.2rem; margin-top: 2.2rem; border-bottom: 1px solid #ddd; }
.summary { font-size: 1.1rem; margin-top: 0; }
.settings, .nav, footer { color: #666; font-size: 0.9rem; }
.look-for { background: #f3f6fa; border-left: 4px solid #7a9cc6;
            padding: 0.5rem 1rem; }
.look-for h2 { margin-top: 0.3rem; border: 0; }
figure { margin: 1.2rem 0; }
img { max-width: 100%; height: auto; border: 1px solid #eee; }
img.pixels { image-rendering: pixelated; }
figcaption { color: #555; font-size: 0.92rem; }
.missing { color: #a00; border: 1px dashed #a00; padding: 0.5rem; }
table { border-collapse: collapse; margin: 1rem 0; display: block;
        overflow-x: auto; font-size: 0.92rem; }
caption { text-align: left; color: #555; padding-bottom: 0.3rem; }
th, td { padding: 0.2rem 0.7rem; border-bottom: 1px solid #e6e6e6;
         text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.warnings li { color: #a00; }
code { background: #f3f3f3; padding: 0 0.2rem; overflow-wrap: anywhere; }
dd { margin: 0.2rem 0 1rem 1.2rem; }
ul.course { list-style: none; padding: 0; }
ul.course li { margin: 1.5rem 0; }
ul.course h2 { margin-top: 0; border: 0; }
ul.course img { width: 24rem; }
)";

std::string head(std::string_view title, std::string_view description,
                 std::string_view generator) {
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
      "<meta charset=\"utf-8\" />\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" "
      "/>\n"
      "<meta name=\"description\" content=\"" +
      html_escape(description) + "\" />\n";
  if (!generator.empty())
    html += "<meta name=\"generator\" content=\"" + html_escape(generator) +
            "\" />\n";
  html += "<title>" + html_escape(title) + "</title>\n<style>" + kStyle +
          "</style>\n</head>\n<body>\n";
  return html;
}

std::string tail() {
  return "</body>\n</html>\n";
}

std::string url_path(std::string_view file) {
  std::string out;
  for (unsigned char c : file) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' ||
        c == '/') {
      out += char(c);
    } else {
      const char* hex = "0123456789ABCDEF";
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace page

namespace {

// A PNG's size from its header (width and height are bytes 16..23, big
// endian), or {0, 0} if the file is not a PNG.
std::pair<int, int> png_size(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  unsigned char b[24] = {};
  if (!in.read(reinterpret_cast<char*>(b), sizeof b) || b[1] != 'P' ||
      b[12] != 'I')
    return {0, 0};
  auto be32 = [&](int at) {
    return int(b[at] << 24 | b[at + 1] << 16 | b[at + 2] << 8 | b[at + 3]);
  };
  return {be32(16), be32(20)};
}

bool is_number(const std::string& cell) {
  if (cell.empty()) return false;
  char* end = nullptr;
  std::strtod(cell.c_str(), &end);
  return *end == '\0';
}

void figure_html(std::string& html, const Lesson& lesson,
                 const LessonFigure& f) {
  const fs::path file = lesson.out_path(f.file);
  const std::string caption = html_escape(f.caption);
  html += "<figure>\n";
  if (!fs::exists(file)) {
    html += "<p class=\"missing\">missing picture: " + html_escape(f.file) +
            " (registered by the lesson, but not in its output folder)</p>\n";
  } else if (file.extension() == ".png") {
    // Pixel pictures are small (28 × 28 per image): enlarge them by a whole
    // factor, crisp, up to the column's width; CSS shrinks them on a phone.
    const auto [w, h] = png_size(file);
    const int scale = w > 0 ? std::clamp(720 / w, 1, 4) : 1;
    html += "<img src=\"" + html_escape(page::url_path(f.file)) + "\" alt=\"" +
            caption + "\" class=\"pixels\"" +
            (w > 0 ? " width=\"" + std::to_string(w * scale) + "\" height=\"" +
                         std::to_string(h * scale) + "\""
                   : "") +
            " />\n";
  } else {
    html += "<img src=\"" + html_escape(page::url_path(f.file)) + "\" alt=\"" +
            caption + "\" />\n";
  }
  html += "<figcaption>" + caption + " <code>" + html_escape(f.file) +
          "</code></figcaption>\n</figure>\n";
}

void table_html(std::string& html, const LessonTable& t) {
  html += "<table>\n";
  if (!t.caption.empty())
    html += "<caption>" + html_escape(t.caption) + "</caption>\n";
  html += "<thead><tr>";
  for (const std::string& c : t.columns)
    html += "<th>" + html_escape(c) + "</th>";
  html += "</tr></thead>\n<tbody>\n";
  for (const auto& row : t.rows) {
    html += "<tr>";
    for (const std::string& cell : row)
      html += (is_number(cell) ? "<td class=\"num\">" : "<td>") +
              html_escape(cell) + "</td>";
    html += "</tr>\n";
  }
  html += "</tbody>\n</table>\n";
}

// What step `n` showed: its tables, then its pictures, each in the order
// the lesson registered them.
void step_items(std::string& html, const Lesson& lesson, int n) {
  for (const LessonTable& t : lesson.tables())
    if (t.step == n) table_html(html, t);
  for (const LessonFigure& f : lesson.figures())
    if (f.step == n) figure_html(html, lesson, f);
}

std::string settings_line(const LessonOptions& o) {
  return "epochs " + std::to_string(o.epochs) + ", batch size " +
         std::to_string(o.batch_size) + ", lr " + format_result(o.lr) +
         ", seed " + std::to_string(o.seed) +
         (o.synthetic ? ", synthetic data" : "") +
         (o.quick ? ", --quick (a few hundred images)" : "");
}

}  // namespace

std::vector<std::string> missing_figures(const Lesson& lesson) {
  std::vector<std::string> missing;
  for (const LessonFigure& f : lesson.figures())
    if (!fs::exists(lesson.out_path(f.file))) missing.push_back(f.file);
  return missing;
}

std::string lesson_page_html(const Lesson& lesson, bool course_link) {
  const LessonInfo& info = lesson.info();
  std::string html =
      page::head(info.name + " — hourglass", info.summary, page::kGenerator);
  if (course_link)
    html += "<p class=\"nav\"><a href=\"../index.html\">all lessons</a></p>\n";
  html += "<h1>" + html_escape(info.name) + "</h1>\n<p class=\"summary\">" +
          html_escape(info.summary) + "</p>\n<p class=\"settings\">" +
          html_escape(settings_line(lesson.options())) + "</p>\n";
  if (!info.look_for.empty())
    html += "<section class=\"look-for\">\n<h2>What to look for</h2>\n<p>" +
            html_escape(info.look_for) + "</p>\n</section>\n";
  step_items(html, lesson, 0);  // anything shown before the first step

  std::vector<int> shown;  // a step number used twice keeps its items once
  for (const LessonStep& s : lesson.steps()) {
    html += "<section class=\"step\" id=\"step-" + std::to_string(s.n) +
            "\">\n<h2>Step " + std::to_string(s.n) + ": " +
            html_escape(s.title) + "</h2>\n";
    if (!s.what.empty()) html += "<p>" + html_escape(s.what) + "</p>\n";
    if (std::find(shown.begin(), shown.end(), s.n) == shown.end()) {
      step_items(html, lesson, s.n);
      shown.push_back(s.n);
    }
    html += "</section>\n";
  }

  if (!lesson.results().empty()) {
    html +=
        "<section id=\"results\">\n<h2>Results</h2>\n<table "
        "class=\"results\">\n"
        "<thead><tr><th>result</th><th>value</th></tr></thead>\n<tbody>\n";
    for (const LessonResult& r : lesson.results())
      html += "<tr data-key=\"" + html_escape(r.key) + "\"><td>" +
              html_escape(r.label) + "</td><td class=\"num\">" +
              html_escape(format_result(r.value)) + "</td></tr>\n";
    html +=
        "</tbody>\n</table>\n<p class=\"settings\">The same numbers, for "
        "programs: "
        "<a href=\"results.txt\">results.txt</a>, "
        "<a href=\"results.tsv\">results.tsv</a>.</p>\n</section>\n";
  }
  if (!lesson.warnings().empty()) {
    html += "<section class=\"warnings\">\n<h2>Warnings</h2>\n<ul>\n";
    for (const std::string& w : lesson.warnings())
      html += "<li>" + html_escape(w) + "</li>\n";
    html += "</ul>\n</section>\n";
  }
  if (!lesson.experiments().empty()) {
    html += "<section id=\"try-this\">\n<h2>Try this</h2>\n<dl>\n";
    for (const Experiment& e : lesson.experiments())
      html += "<dt><code>scripts/lesson " +
              html_escape(info.name + " " + e.flags) + "</code></dt>\n<dd>" +
              html_escape(e.expect) + "</dd>\n";
    html += "</dl>\n</section>\n";
  }
  html += "<footer><p>Written by " + html_escape(info.name) +
          " at the end of its run; a new run writes it anew.</p></footer>\n";
  return html + page::tail();
}

std::string write_lesson_page(const Lesson& lesson, bool course_link) {
  const std::string path = lesson.out_path(kLessonPageFile);
  write_file_atomically(path, lesson_page_html(lesson, course_link));
  return path;
}

std::string course_folder(const std::string& out_dir,
                          const std::string& lesson_name) {
  fs::path dir = fs::path(out_dir).lexically_normal();
  if (!dir.has_filename()) dir = dir.parent_path();  // "out/01_vanilla/"
  if (dir.filename() != lesson_name || !dir.has_parent_path()) return "";
  return dir.parent_path().string();
}

}  // namespace hg
