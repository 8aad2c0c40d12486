// The model files of models/, compiled as the tests need them.
#pragma once

#include <string>

#include "gpufm/graph.hpp"
#include "support/temp_dir.hpp"

namespace gpufm::test {

// models/NAME, compiled. autoencoder_classifier.dsl takes its encoder's layers from an
// autoencoder run: it gets one in `dir`, holding models/autoencoder.dsl as its model.dsl (enough
// to compile; training would need the run's checkpoint too).
Graph reference_model(const std::string& name, const TempDir& dir);

}  // namespace gpufm::test
