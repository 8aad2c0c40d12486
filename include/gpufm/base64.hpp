// Base64 (RFC 4648, standard alphabet, '=' padding), for pictures embedded in HTML as data: URIs.
#pragma once

#include <cstddef>
#include <span>
#include <string>

namespace gpufm {

std::string base64(std::span<const std::byte> bytes);

}  // namespace gpufm
