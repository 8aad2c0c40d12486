// Charts: round axis ticks and their labels; a line chart and a heat map render to PNG of the
// planned size with their colours where they belong, and to SVG that an XML parser reads.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "gpufm/charts.hpp"
#include "report/axis.hpp"
#include "report/legend_place.hpp"
#include "support/png_pixels.hpp"
#include "support/temp_dir.hpp"

namespace gpufm {
namespace {

// Parses the SVG with Python's XML parser and prints its root tag and its number of elements.
std::string parsed_svg(const std::string& svg) {
  test::TempDir dir;
  const std::filesystem::path file = dir.write("chart.svg", svg);
  const std::string command = "python3 -c 'import sys, xml.etree.ElementTree as t; r = t.parse(sys.argv[1]).getroot(); "
                              "print(r.tag, sum(1 for _ in r.iter()))' " + file.string() + " 2>&1";
  std::string output;
  if (FILE* pipe = popen(command.c_str(), "r")) {
    char buffer[256];
    while (fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
    pclose(pipe);
  }
  return output;
}

TEST(Axis, TicksAreRoundAndCoverTheValues) {
  const std::vector<double> losses = {0.61, 0.42, 0.35, NAN, 0.298};
  const report::Axis axis = report::nice_axis(losses);
  EXPECT_EQ(axis.ticks, (std::vector<double>{0.2, 0.3, 0.4, 0.5, 0.6, 0.7}));
  EXPECT_EQ(axis.low, 0.2);
  EXPECT_EQ(axis.high, 0.7);
  EXPECT_EQ(report::nice_axis(std::vector<double>{0.01, 0.0312}).ticks, (std::vector<double>{0.01, 0.015, 0.02, 0.025, 0.03, 0.035}));
  EXPECT_EQ(report::integer_axis(1, 30).ticks, (std::vector<double>{0, 5, 10, 15, 20, 25, 30}));
  EXPECT_EQ(report::integer_axis(1, 3).ticks, (std::vector<double>{1, 2, 3}));
  EXPECT_EQ(report::nice_axis(std::vector<double>{2.0}).ticks.front(), 1.8);
  EXPECT_EQ(report::nice_axis(std::vector<double>{NAN}).ticks.back(), 1.0);
}

TEST(Axis, TickLabelsAreAsShortAsTheSpacingAllows) {
  EXPECT_EQ(report::tick_label(0.35, 0.05), "0.35");
  EXPECT_EQ(report::tick_label(0.30000000000000004, 0.05), "0.30");
  EXPECT_EQ(report::tick_label(40, 10), "40");
  EXPECT_EQ(report::tick_label(-1e-17, 0.1), "0.0");
  EXPECT_EQ(report::tick_label(2e-5, 1e-5), "2e-05");
}

TEST(Charts, LineChartsSideBySideDrawTheirSeriesInTheirColours) {
  const std::vector<double> epochs = {1, 2, 3, 4};
  const LineChart loss{"loss", "epoch", "loss", {{"training", epochs, {0.9, 0.5, 0.4, 0.35}, series_color(0), false},
                                                  {"validation", epochs, {1.0, 0.6, NAN, 0.5}, series_color(1), true}},
                       2.0, "best epoch 2"};
  const LineChart accuracy{"accuracy", "epoch", "accuracy", {{"training", epochs, {0.6, 0.8, 0.85, 0.9}, series_color(0), false}}, {}, ""};
  const std::vector<LineChart> charts = {loss, accuracy};
  const Picture picture = draw_line_charts(charts);
  const test::PngPixels png = test::decode_png(picture.png);
  EXPECT_EQ(png.width, 2 * 420 * 2);
  EXPECT_EQ(png.height, 300 * 2);
  EXPECT_GT(test::pixels_of(png, series_color(0)), 500u);
  EXPECT_GT(test::pixels_of(png, series_color(1)), 100u);
  EXPECT_EQ(test::pixels_of(png, series_color(2)), 0u);
  EXPECT_EQ(png.at(5, 5), 0xffffffu) << "the background is white";
  EXPECT_EQ(parsed_svg(picture.svg).rfind("{http://www.w3.org/2000/svg}svg ", 0), 0u) << parsed_svg(picture.svg);
}

TEST(Charts, TheLegendTakesTheCornerThatHidesLeastOfTheLines) {
  const report::Box plot{0, 0, 400, 300};
  const auto corner = [&](const std::vector<report::Point>& points) {
    const report::Box box = report::legend_box(points, plot, 120, 40);
    EXPECT_EQ(box.width, 120);
    EXPECT_EQ(box.height, 40);
    return std::pair{box.x, box.y};
  };
  const report::Point top_right{350, 20}, bottom_right{350, 280}, top_left{50, 20}, bottom_left{50, 280}, middle{200, 150};
  EXPECT_EQ(corner({}), std::pair(276.0, 4.0)) << "top right, 4 inside the plot";
  EXPECT_EQ(corner({middle}), std::pair(276.0, 4.0));
  EXPECT_EQ(corner({top_right}), std::pair(276.0, 256.0)) << "an accuracy curve ending high: bottom right";
  EXPECT_EQ(corner({top_right, bottom_right}), std::pair(4.0, 4.0));
  EXPECT_EQ(corner({top_right, bottom_right, top_left}), std::pair(4.0, 256.0));
  EXPECT_EQ(corner({top_right, top_right, bottom_right, top_left, bottom_left}), std::pair(276.0, 256.0)) << "the fewest hidden";
}

TEST(Charts, HeatMapCellsAreShadedByTheirShareOfTheRow) {
  const HeatMap map{"confusion", "true", "predicted", {"a", "b"}, {"a", "b"}, {10, 0, 5, 5}};
  const Picture picture = draw_heat_map(map);
  const test::PngPixels png = test::decode_png(picture.png);
  // Cell (0, 0) holds its whole row: the darkest shade; cell (0, 1) none of it: the lightest.
  const int x0 = static_cast<int>((12 + 96 + 16) * 2), y0 = 30 * 2, cell = 34 * 2;
  EXPECT_TRUE(test::is_color(png.at(x0 + 4, y0 + 4), {0.03, 0.19, 0.42})) << std::hex << png.at(x0 + 4, y0 + 4);
  EXPECT_TRUE(test::is_color(png.at(x0 + cell + 4, y0 + 4), {0.97, 0.98, 1.0})) << std::hex << png.at(x0 + cell + 4, y0 + 4);
  EXPECT_NE(png.at(x0 + 4, y0 + cell + 4), png.at(x0 + 4, y0 + 4)) << "a half share is a middle shade";
  EXPECT_EQ(parsed_svg(picture.svg).rfind("{http://www.w3.org/2000/svg}svg ", 0), 0u) << parsed_svg(picture.svg);
  EXPECT_THROW(draw_heat_map(HeatMap{"", "", "", {"a"}, {"a", "b"}, {1}}), std::logic_error);
}

TEST(Charts, PicturesAreWrittenAsSvgAndPng) {
  test::TempDir dir;
  const HeatMap map{"confusion", "true", "predicted", {"a"}, {"a"}, {3}};
  write_picture(dir / "confusion", draw_heat_map(map));
  EXPECT_EQ(test::read_file(dir / "confusion.svg").rfind("<?xml", 0), 0u);
  EXPECT_EQ(test::read_file(dir / "confusion.png").substr(1, 3), "PNG");
}

}  // namespace
}  // namespace gpufm
