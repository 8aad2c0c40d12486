// A model file as `gpufm summary` and the start of `gpufm train` take it: parsed, compiled
// (layers, shapes, the train section), its memory planned and summarised. A run records the
// model as dsl::to_source writes it and resuming compiles that (src/train/run.cpp), so the
// written text must parse, and compile to the same model whenever the original did.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "gpufm/dsl.hpp"
#include "gpufm/graph.hpp"
#include "gpufm/plan.hpp"
#include "gpufm/summary.hpp"

namespace {

constexpr const char* file_name = "fuzz.dsl";

std::string summary_of(const gpufm::dsl::Model& model) {
  const gpufm::Graph graph = gpufm::compile(model);
  return gpufm::format_summary(graph, gpufm::plan_memory(graph));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  gpufm::dsl::Model model;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (!gpufm::fuzz::accepted([&] { model = gpufm::dsl::parse(text, file_name); })) return 0;

  const std::string source = gpufm::dsl::to_source(model);
  gpufm::dsl::Model recorded;
  gpufm::fuzz::require(gpufm::fuzz::accepted([&] { recorded = gpufm::dsl::parse(source, file_name); }),
                       "the model as to_source writes it does not parse", source);
  gpufm::fuzz::require(gpufm::dsl::to_source(recorded) == source, "to_source of the recorded model differs", source);

  std::string summary;
  if (!gpufm::fuzz::accepted([&] { summary = summary_of(model); })) return 0;
  std::string recorded_summary;
  gpufm::fuzz::require(gpufm::fuzz::accepted([&] { recorded_summary = summary_of(recorded); }),
                       "the model as to_source writes it does not compile", source);
  gpufm::fuzz::require(recorded_summary == summary, "the model as to_source writes it compiles differently", source);
  return 0;
}
