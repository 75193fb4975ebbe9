// Checks a page written by io/lesson_page.hpp the way the tests need it:
// well-formed (every element closed, by xml_check.hpp), no scripts and
// nothing fetched from a network, every file it links or shows present,
// no picture marked missing, every table as wide as its header, and the
// results table holding exactly the numbers of results.txt beside it.
// Returns "" when all holds, else the first thing wrong.
#pragma once

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>

#include "xml_check.hpp"

namespace page_check {

inline std::string read(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// An attribute value as a file name: character references and %XX undone.
inline std::string link_target(const std::string& value) {
  std::string plain = std::regex_replace(value, std::regex("&quot;"), "\"");
  plain = std::regex_replace(plain, std::regex("&#39;"), "'");
  plain = std::regex_replace(plain, std::regex("&lt;"), "<");
  plain = std::regex_replace(plain, std::regex("&gt;"), ">");
  plain = std::regex_replace(plain, std::regex("&amp;"), "&");
  std::string out;
  for (std::size_t i = 0; i < plain.size(); ++i) {
    if (plain[i] == '%' && i + 2 < plain.size()) {
      out += char(std::stoi(plain.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += plain[i];
    }
  }
  return out;
}

// Each table's rows have as many cells as its header has columns.
inline std::string table_problem(const std::string& html) {
  const std::regex table("<table[^>]*>([\\s\\S]*?)</table>"), th("<th>"),
      row("<tr[^>]*>([\\s\\S]*?)</tr>"), td("<td[ >]");
  int n = 0;
  for (std::sregex_iterator t(html.begin(), html.end(), table), end; t != end;
       ++t) {
    ++n;
    const std::string body = (*t)[1];
    long columns = -1;
    for (std::sregex_iterator r(body.begin(), body.end(), row); r != end; ++r) {
      const std::string cells = (*r)[1];
      const auto count = [&](const std::regex& cell) {
        return std::distance(
            std::sregex_iterator(cells.begin(), cells.end(), cell),
            std::sregex_iterator());
      };
      if (columns < 0) {
        columns = count(th);
        if (columns == 0)
          return "table " + std::to_string(n) + " has no header row";
      } else if (count(td) != columns) {
        return "table " + std::to_string(n) + ": a row of " +
               std::to_string(count(td)) + " cells under " +
               std::to_string(columns) + " columns";
      }
    }
  }
  return "";
}

// The results table against results.txt ("key value" per line).
inline std::string results_problem(const std::string& html,
                                   const std::filesystem::path& results_txt) {
  std::map<std::string, double> file;
  if (std::filesystem::exists(results_txt)) {
    std::istringstream in(read(results_txt));
    std::string key;
    double value;
    while (in >> key >> value) file[key] = value;
  }
  std::map<std::string, double> page;
  const std::regex row(
      "<tr data-key=\"([^\"]*)\"><td>[^<]*</td><td "
      "class=\"num\">([^<]*)</td></tr>");
  for (std::sregex_iterator r(html.begin(), html.end(), row), end; r != end;
       ++r) {
    const std::string key = (*r)[1];
    if (!page.emplace(key, std::stod((*r)[2])).second)
      return "result " + key + " shown twice";
  }
  for (const auto& [key, value] : file) {
    const auto shown = page.find(key);
    if (shown == page.end())
      return "result " + key + " of results.txt is not on the page";
    // The page shows 6 significant digits; results.txt keeps 9.
    if (std::abs(shown->second - value) > 1e-5 * std::abs(value) + 1e-12)
      return "result " + key + ": the page shows " +
             std::to_string(shown->second) + ", results.txt holds " +
             std::to_string(value);
  }
  for (const auto& [key, value] : page)
    if (!file.count(key))
      return "result " + key + " is on the page but not in results.txt";
  return "";
}

inline std::string page_problem(const std::filesystem::path& page) {
  if (!std::filesystem::exists(page)) return "no page at " + page.string();
  const std::string html = read(page);
  if (html.rfind("<!DOCTYPE html>", 0) != 0)
    return "does not start with <!DOCTYPE html>";
  if (std::string p = xml_problem(html); !p.empty())
    return "not well-formed: " + p;
  if (html.find("<meta name=\"viewport\"") == std::string::npos)
    return "no viewport <meta>";
  if (html.find("<script") != std::string::npos) return "has a <script>";
  if (html.find("class=\"missing\"") != std::string::npos)
    return "a picture is marked missing";
  const std::regex link("(src|href)=\"([^\"]*)\"");
  for (std::sregex_iterator l(html.begin(), html.end(), link), end; l != end;
       ++l) {
    const std::string target = link_target((*l)[2]);
    if (target.find("//") != std::string::npos)
      return "links outside: " + target;
    if (target.empty() || target[0] == '#') continue;
    if (!std::filesystem::exists(page.parent_path() / target))
      return std::string((*l)[1]) + "=\"" + target +
             "\" names no file beside the page";
  }
  if (std::string p = table_problem(html); !p.empty()) return p;
  return results_problem(html, page.parent_path() / "results.txt");
}

}  // namespace page_check
