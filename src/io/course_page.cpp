// The course page, index.html in a folder of lesson folders: one entry per
// lesson page found there, with the lesson's summary and first picture,
// both read back from the lesson's own page.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "hourglass/io/atomic_file.hpp"
#include "hourglass/io/lesson_page.hpp"
#include "page_html.hpp"

namespace hg {

namespace fs = std::filesystem;

namespace {

// The inverse of html_escape, for attribute values this code wrote.
std::string unescape(std::string_view text) {
  static const std::pair<std::string_view, char> refs[] = {{"&amp;", '&'},
                                                           {"&lt;", '<'},
                                                           {"&gt;", '>'},
                                                           {"&quot;", '"'},
                                                           {"&#39;", '\''}};
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    bool replaced = false;
    for (const auto& [ref, c] : refs)
      if (text.substr(i, ref.size()) == ref) {
        out += c;
        i += ref.size();
        replaced = true;
        break;
      }
    if (!replaced) out += text[i++];
  }
  return out;
}

// The quoted value that follows `opening` (which ends in `="`), from
// `from` on; "" if there is none.
std::string value_after(const std::string& html, std::string_view opening,
                        std::size_t from = 0) {
  const std::size_t start = html.find(opening, from);
  if (start == std::string::npos) return "";
  const std::size_t begin = start + opening.size(), end = html.find('"', begin);
  return end == std::string::npos ? ""
                                  : unescape(html.substr(begin, end - begin));
}

struct Entry {
  std::string folder, summary, picture, alt;  // picture: relative to the folder
};

// What the course page shows of one folder, if it holds a lesson page.
bool read_entry(const fs::path& folder, Entry& entry) {
  std::ifstream in(folder / kLessonPageFile, std::ios::binary);
  if (!in) return false;
  std::stringstream text;
  text << in.rdbuf();
  const std::string html = text.str();
  const std::string generator = "<meta name=\"generator\" content=\"" +
                                std::string(page::kGenerator) + "\" />";
  if (html.find(generator) == std::string::npos) return false;
  entry.folder = folder.filename().string();
  entry.summary = value_after(html, "<meta name=\"description\" content=\"");
  // The first picture is the first <img>; its src is already a URL path.
  const std::size_t img = html.find("<img src=\"");
  if (img != std::string::npos) {
    entry.picture = value_after(html, "<img src=\"", img);
    entry.alt = value_after(html, "alt=\"", img);
  }
  return true;
}

}  // namespace

std::string write_course_page(const std::string& dir) {
  std::vector<Entry> entries;
  for (const fs::directory_entry& d : fs::directory_iterator(dir)) {
    Entry e;
    if (d.is_directory() && read_entry(d.path(), e))
      entries.push_back(std::move(e));
  }
  // Folder names start with the lesson's number: sorting them is the
  // course's order, and the same on every machine.
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.folder < b.folder; });

  std::string html = page::head("hourglass lessons",
                                "the pages of the lessons run so far", "");
  html +=
      "<h1>hourglass lessons</h1>\n<p class=\"summary\">The lessons run into "
      "this "
      "folder, each as one page of steps and pictures. Run another with "
      "<code>scripts/lesson NAME</code> and it appears here.</p>\n<ul "
      "class=\"course\">\n";
  for (const Entry& e : entries) {
    const std::string link =
        html_escape(page::url_path(e.folder) + "/" + kLessonPageFile);
    html += "<li>\n<h2><a href=\"" + link + "\">" + html_escape(e.folder) +
            "</a></h2>\n<p>" + html_escape(e.summary) + "</p>\n";
    if (!e.picture.empty())
      html += "<a href=\"" + link + "\"><img src=\"" +
              html_escape(page::url_path(e.folder) + "/" + e.picture) +
              "\" alt=\"" + html_escape(e.alt) + "\" /></a>\n";
    html += "</li>\n";
  }
  html += "</ul>\n";
  if (entries.empty())
    html += "<p>No lesson has finished a run here yet.</p>\n";
  html += page::tail();
  const std::string path = (fs::path(dir) / kLessonPageFile).string();
  write_file_atomically(path, html);
  return path;
}

void refresh_course_page(const std::string& dir) noexcept {
  if (dir.empty()) return;
  try {
    write_course_page(dir);
  } catch (...) {
    // Best effort after a failure that is already being reported.
  }
}

}  // namespace hg
