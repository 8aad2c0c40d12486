// What `gpufm data` shows: counts, image size, classes and their histogram per split.
#pragma once

#include <string>

#include "gpufm/dataset.hpp"

namespace gpufm {

std::string format_data_report(const Dataset& data);

}  // namespace gpufm
