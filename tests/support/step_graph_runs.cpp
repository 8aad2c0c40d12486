#include "support/step_graph_runs.hpp"

#include <algorithm>
#include <numeric>

#include "support/learnable_set.hpp"

namespace gpufm::test {

ThreeEpochs train_three_epochs(Backend& backend, const std::string& model) {
  const Graph graph = compile(dsl::parse(model, "drawing.dsl"));
  const Dataset data = learnable_dataset(100, 40);
  Program program(graph, backend, graph.train.batch);
  program.initialize(5);
  const DeviceImages train_images = program.upload(data.train), test_images = program.upload(data.test);
  std::vector<std::int32_t> train_ids(data.train.count), test_ids(data.test.count);
  std::iota(train_ids.begin(), train_ids.end(), 0);
  std::iota(test_ids.begin(), test_ids.end(), 0);
  DeviceIds train_device_ids = program.upload_ids(train_ids);
  const DeviceIds test_device_ids = program.upload_ids(test_ids);
  ThreeEpochs trained;
  for (std::int64_t epoch = 1; epoch <= 3; ++epoch) {
    const double lr = 0.01 / static_cast<double>(epoch);
    std::int64_t asked = 0;
    const auto stop_after_two_steps = [&] { return epoch == 2 && ++asked == 3; };
    std::optional<PassMetrics> metrics = program.train_epoch(train_images, train_device_ids, epoch, lr, {}, stop_after_two_steps);
    if (!metrics) metrics = program.train_epoch(train_images, train_device_ids, epoch, lr);
    trained.epochs.push_back(*metrics);
    trained.evaluations.push_back(program.evaluate(test_images, test_device_ids, true));
  }
  trained.params = program.read_params();
  trained.optimizer_state = program.read_optimizer_state();
  trained.loss_scale = program.loss_scale();
  trained.training_step_kernels = program.training_step_kernels();
  trained.capture_failure = program.capture_failure();
  const std::vector<bool>& in_previous = program.plan().dropout_in_previous;
  trained.dropouts_in_previous = std::count(in_previous.begin(), in_previous.end(), true);
  return trained;
}

}  // namespace gpufm::test
