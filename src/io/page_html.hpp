// The parts the lesson page and the course page share: the head with its
// style sheet, and how a file name becomes a link. Internal to src/io.
#pragma once

#include <string>
#include <string_view>

namespace hg::page {

// Marks pages written by write_lesson_page, so the course page lists those
// and no other index.html.
inline constexpr std::string_view kGenerator = "hourglass lesson page";

// "<!DOCTYPE html>" up to and including "<body>": the title, the
// description (a <meta>, which the course page reads back), `generator`
// when not empty, the viewport for phones and the style sheet.
std::string head(std::string_view title, std::string_view description,
                 std::string_view generator);
// "</body></html>".
std::string tail();

// A relative file name as a URL path: bytes other than letters, digits,
// "-._~/" written as %XX, so a space or '#' in a name cannot break a link.
std::string url_path(std::string_view file);

}  // namespace hg::page
