#include <array>

#include "gpufm/atomic_file.hpp"
#include "gpufm/charts.hpp"

namespace gpufm {

Rgb series_color(std::size_t index) {
  // matplotlib's tab10: blue, orange, green, red, purple, brown, pink, grey, olive, cyan.
  static constexpr std::array<Rgb, 10> tab10 = {{{0.122, 0.467, 0.706},
                                                 {1.000, 0.498, 0.055},
                                                 {0.173, 0.627, 0.173},
                                                 {0.839, 0.153, 0.157},
                                                 {0.580, 0.404, 0.741},
                                                 {0.549, 0.337, 0.294},
                                                 {0.890, 0.467, 0.761},
                                                 {0.498, 0.498, 0.498},
                                                 {0.737, 0.741, 0.133},
                                                 {0.090, 0.745, 0.812}}};
  return tab10[index % tab10.size()];
}

void write_picture(const std::filesystem::path& stem, const Picture& picture) {
  write_file_atomically(std::filesystem::path(stem).concat(".svg"), picture.svg);
  write_file_atomically(std::filesystem::path(stem).concat(".png"), std::span<const std::byte>(picture.png));
}

}  // namespace gpufm
