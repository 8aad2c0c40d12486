// Pieces of the self-contained HTML pages the reports are: escaped text, pictures inlined as
// data: URIs, tables, and the page around them.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "gpufm/charts.hpp"

namespace gpufm::report {

std::string escape_html(const std::string& text);

// <img> of an SVG or a PNG, inlined; `alt` says what it shows.
std::string svg_image(const Picture& picture, const std::string& alt);
std::string png_image(std::span<const std::byte> png, const std::string& alt);

// A table of escaped cells; the first row is the header. Cells after the first align right.
std::string html_table(const std::vector<std::vector<std::string>>& rows);

// A whole page: title, the stylesheet, and the body's sections.
std::string html_page(const std::string& title, const std::vector<std::string>& sections);

}  // namespace gpufm::report
