#include "report/html.hpp"

#include "gpufm/base64.hpp"

namespace gpufm::report {

std::string escape_html(const std::string& text) {
  std::string escaped;
  for (const char c : text) {
    switch (c) {
      case '&': escaped += "&amp;"; break;
      case '<': escaped += "&lt;"; break;
      case '>': escaped += "&gt;"; break;
      case '"': escaped += "&quot;"; break;
      default: escaped += c;
    }
  }
  return escaped;
}

// Each SVG stays a document of its own: cairo names glyphs by ids that would clash if two were
// inlined as <svg> elements in one page.
std::string svg_image(const Picture& picture, const std::string& alt) {
  const auto bytes = std::as_bytes(std::span(picture.svg.data(), picture.svg.size()));
  return "<img src=\"data:image/svg+xml;base64," + base64(bytes) + "\" alt=\"" + escape_html(alt) + "\">";
}

std::string png_image(std::span<const std::byte> png, const std::string& alt) {
  return "<img class=\"pixels\" src=\"data:image/png;base64," + base64(png) + "\" alt=\"" + escape_html(alt) + "\">";
}

std::string html_table(const std::vector<std::vector<std::string>>& rows) {
  std::string html = "<table>\n";
  for (std::size_t r = 0; r < rows.size(); ++r) {
    html += "<tr>";
    for (const std::string& cell : rows[r]) {
      const char* tag = r == 0 ? "th" : "td";
      html += std::string("<") + tag + ">" + escape_html(cell) + "</" + tag + ">";
    }
    html += "</tr>\n";
  }
  return html + "</table>\n";
}

std::string html_page(const std::string& title, const std::vector<std::string>& sections) {
  std::string html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + escape_html(title) +
                     "</title>\n<style>\n"
                     "body { font-family: 'DejaVu Sans', sans-serif; margin: 2em auto; max-width: 1100px; color: #262626; }\n"
                     "h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 1.8em; border-bottom: 1px solid #ddd; }\n"
                     "table { border-collapse: collapse; } th, td { padding: 0.2em 0.8em; border-bottom: 1px solid #eee; }\n"
                     "td + td, th + th { text-align: right; }\n"
                     "pre { background: #f6f6f6; padding: 0.8em; overflow-x: auto; font-size: 0.85em; }\n"
                     "img { max-width: 100%; } img.pixels { image-rendering: pixelated; height: 56px; }\n"
                     "</style>\n</head>\n<body>\n<h1>" + escape_html(title) + "</h1>\n";
  for (const std::string& section : sections) html += section;
  return html + "</body>\n</html>\n";
}

}  // namespace gpufm::report
