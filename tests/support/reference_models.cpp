#include "support/reference_models.hpp"

#include <filesystem>

namespace gpufm::test {

Graph reference_model(const std::string& name, const TempDir& dir) {
  const std::filesystem::path models = std::filesystem::path(GPUFM_SOURCE_DIR) / "models";
  std::vector<dsl::Override> overrides;
  if (name == "autoencoder_classifier.dsl") {
    const std::filesystem::path run = dir / "autoencoder-run";
    std::filesystem::create_directories(run);
    std::filesystem::copy_file(models / "autoencoder.dsl", run / "model.dsl", std::filesystem::copy_options::overwrite_existing);
    overrides.push_back({"encoder_run", run.string()});
  }
  return compile_file(models / name, overrides);
}

}  // namespace gpufm::test
