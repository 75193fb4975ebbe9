// A tiny XML well-formedness checker for the tests: tags balanced and
// properly nested, attribute values quoted, no duplicate attributes, text
// free of raw '<' and of '&' that does not start a known entity or a
// numeric reference (&#39;). Returns "" when well-formed, else what is wrong
// and where. It also reads the lesson pages, which are HTML written with
// every element closed: a <!DOCTYPE ...> before the root and <!-- comments
// --> are skipped. Not a parser: no DTDs, CDATA or namespaces beyond
// reading names.
#pragma once

#include <cctype>
#include <set>
#include <string>
#include <vector>

inline std::string xml_problem(const std::string& s) {
  std::vector<std::string> open;
  std::size_t i = 0;
  int roots = 0;
  auto at = [&](const std::string& what) {
    return what + " at byte " + std::to_string(i);
  };
  auto name_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' ||
           c == '_' || c == ':' || c == '.';
  };
  auto entity_ok = [&](std::size_t amp) {
    for (const char* e : {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"})
      if (s.compare(amp, std::string(e).size(), e) == 0) return true;
    std::size_t d = amp + 2;  // &#39;
    while (d < s.size() && std::isdigit(static_cast<unsigned char>(s[d]))) ++d;
    return s.compare(amp, 2, "&#") == 0 && d > amp + 2 && d < s.size() &&
           s[d] == ';';
  };
  while (i < s.size()) {
    if (s[i] != '<') {
      if (s[i] == '&' && !entity_ok(i)) return at("bare '&'");
      if (s[i] == '>') return at("bare '>'");
      if (open.empty() && !std::isspace(static_cast<unsigned char>(s[i])))
        return at("text outside the root");
      ++i;
      continue;
    }
    if (s.compare(i, 4, "<!--") == 0) {
      const std::size_t e = s.find("-->", i + 4);
      if (e == std::string::npos) return at("unclosed comment");
      i = e + 3;
      continue;
    }
    if (s.compare(i, 9, "<!DOCTYPE") == 0) {
      if (roots > 0 || !open.empty())
        return at("<!DOCTYPE inside the document");
      const std::size_t e = s.find('>', i);
      if (e == std::string::npos) return at("unclosed <!DOCTYPE");
      i = e + 1;
      continue;
    }
    if (s.compare(i, 5, "<?xml") == 0) {
      const std::size_t e = s.find("?>", i);
      if (e == std::string::npos) return at("unclosed declaration");
      i = e + 2;
      continue;
    }
    const bool closing = i + 1 < s.size() && s[i + 1] == '/';
    i += closing ? 2 : 1;
    const std::size_t start = i;
    while (i < s.size() && name_char(s[i])) ++i;
    const std::string name = s.substr(start, i - start);
    if (name.empty()) return at("tag without a name");
    if (closing) {
      if (open.empty() || open.back() != name)
        return at("</" + name + "> does not close <" +
                  (open.empty() ? "" : open.back()) + ">");
      open.pop_back();
      while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
      if (i >= s.size() || s[i] != '>') return at("bad closing tag");
      ++i;
      continue;
    }
    std::set<std::string> attrs;
    while (true) {
      while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
      if (i >= s.size()) return at("unterminated tag <" + name);
      if (s[i] == '>' || s.compare(i, 2, "/>") == 0) break;
      const std::size_t a = i;
      while (i < s.size() && name_char(s[i])) ++i;
      const std::string attr = s.substr(a, i - a);
      if (attr.empty()) return at("bad attribute in <" + name + ">");
      if (!attrs.insert(attr).second) return at("duplicate attribute " + attr);
      if (i >= s.size() || s[i] != '=') return at("attribute without '='");
      ++i;
      if (i >= s.size() || (s[i] != '"' && s[i] != '\''))
        return at("unquoted attribute " + attr);
      const char q = s[i++];
      const std::size_t e = s.find(q, i);
      if (e == std::string::npos) return at("unterminated attribute");
      for (std::size_t k = i; k < e; ++k) {
        if (s[k] == '<') return at("'<' inside an attribute");
        if (s[k] == '&' && !entity_ok(k)) return at("bare '&' in an attribute");
      }
      i = e + 1;
    }
    if (open.empty() && ++roots > 1) return at("second root element");
    if (s[i] == '>') {
      open.push_back(name);
      ++i;
    } else {
      i += 2;  // "/>": empty element
    }
  }
  if (!open.empty()) return "unclosed <" + open.back() + ">";
  if (roots != 1) return "no root element";
  return "";
}
