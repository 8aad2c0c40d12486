// The training engine end to end on the CPU backend: small models learn a learnable set,
// runs are reproducible bit for bit, resuming equals not stopping, and whole-model gradients
// match finite differences. Learning-rate schedules and early stopping, fed scripted figures and
// in real runs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <regex>

#include "gpufm/early_stopping.hpp"
#include "gpufm/schedule.hpp"
#include "gpufm/trainer.hpp"
#include "support/learnable_set.hpp"

namespace gpufm {
namespace {

Graph model(const std::string& layers, const std::string& train) {
  return compile(dsl::parse("input 8x8x1\n" + layers + "\ntrain:\n" + train, "test.dsl"));
}

const std::string mlp_layers = "flatten\ndense 16 relu\ndense 4 softmax";
const std::string cnn_layers = "conv2d 4 3x3 same relu\nmaxpool 2\ndropout 0.1\nconv2d 8 3x3 relu\nflatten\ndense 4 softmax";

struct Trained {
  std::vector<float> params, optimizer_state;
  std::int64_t steps_taken = 0;
  std::vector<EpochRecord> history;
  PassMetrics test;
};

TrainingEvents recording_into(std::vector<EpochRecord>& history) {
  return {.epoch_begin = {}, .step_end = {}, .epoch_end = [&history](const EpochRecord& r) { history.push_back(r); }, .stop_requested = {}};
}

Trained result_of(Trainer& trainer, std::vector<EpochRecord> history) {
  return Trained{trainer.program().read_params(), trainer.program().read_optimizer_state(), trainer.program().steps_taken(),
                 std::move(history), trainer.evaluate_test(true)};
}

Trained train(const Graph& graph, const Dataset& data, std::uint64_t seed) {
  auto backend = make_cpu_backend();
  Trainer trainer(graph, data, *backend);
  trainer.start(seed);
  std::vector<EpochRecord> history;
  trainer.fit(recording_into(history));
  return result_of(trainer, std::move(history));
}

TEST(Training, SmallMlpAndCnnLearnTheLearnableSet) {
  const Dataset data = test::learnable_dataset(512, 128);
  for (const std::string& layers : {mlp_layers, cnn_layers}) {
    const Trained run = train(model(layers, "  optimizer adam lr=0.01\n  batch 32\n  epochs 8\n  validation 0.25\n"), data, 5);
    ASSERT_EQ(run.history.size(), 8u);
    EXPECT_GE(run.test.accuracy, 0.98) << layers;
    EXPECT_LT(run.history.back().loss, run.history.front().loss) << layers;
    EXPECT_GE(run.history.back().val_accuracy.value(), 0.98) << layers;
    EXPECT_EQ(std::accumulate(run.test.confusion.begin(), run.test.confusion.end(), std::int64_t{0}), 128);
  }
}

TEST(Training, EveryOptimizerLearns) {
  const Dataset data = test::learnable_dataset(256, 64);
  for (const char* optimizer : {"sgd lr=0.1 momentum=0.9", "sgd lr=0.5", "adam lr=0.01", "nadam lr=0.01", "rmsprop lr=0.005"}) {
    const Trained run = train(model(mlp_layers, std::string("  optimizer ") + optimizer + "\n  batch 16\n  epochs 6\n"), data, 3);
    EXPECT_GE(run.test.accuracy, 0.95) << optimizer;
  }
}

TEST(Training, SameSeedSameNumbersBitForBit) {
  const Dataset data = test::learnable_dataset(200, 40);
  const Graph graph = model("conv2d 4 3x3 same relu\nbatchnorm\nmaxpool 2\ndropout 0.2\nflatten\ndense 4 softmax",
                            "  batch 24\n  epochs 2\n  validation 0.2\n");
  const Trained a = train(graph, data, 11), b = train(graph, data, 11), c = train(graph, data, 12);
  EXPECT_EQ(a.params, b.params);
  EXPECT_EQ(a.optimizer_state, b.optimizer_state);
  EXPECT_EQ(a.history.back().loss, b.history.back().loss);
  EXPECT_NE(a.params, c.params);
}

// A resumed run against the one that never stopped.
void expect_same_run(const Trained& resumed, const Trained& straight) {
  EXPECT_EQ(resumed.params, straight.params);
  EXPECT_EQ(resumed.optimizer_state, straight.optimizer_state);
  EXPECT_EQ(resumed.steps_taken, straight.steps_taken);
  EXPECT_EQ(resumed.test.loss, straight.test.loss);
  EXPECT_EQ(resumed.history.size(), straight.history.size());
  for (std::size_t e = 0; e < std::min(resumed.history.size(), straight.history.size()); ++e) {
    EXPECT_EQ(resumed.history[e].loss, straight.history[e].loss) << "epoch " << e + 1;
    EXPECT_EQ(resumed.history[e].val_loss, straight.history[e].val_loss) << "epoch " << e + 1;
    EXPECT_EQ(resumed.history[e].lr, straight.history[e].lr) << "epoch " << e + 1;
    EXPECT_EQ(resumed.history[e].stopped_early, straight.history[e].stopped_early) << "epoch " << e + 1;
  }
}

// Trains the CNN with `recipe` for `first` epochs, then resumes a new trainer from that run's
// checkpoint, history and best parameters (taken at each epoch's end, as a run directory takes
// them) up to `epochs`; checks that it equals the run that never stopped, and returns it.
Trained expect_resuming_equals_not_stopping(const std::string& recipe, std::int64_t first, std::int64_t epochs) {
  const Dataset data = test::learnable_dataset(200, 40);
  const Trained straight = train(model(cnn_layers, recipe + "  epochs " + std::to_string(epochs) + "\n"), data, 9);

  auto backend = make_cpu_backend();
  Checkpoint checkpoint;
  std::vector<EpochRecord> history;
  std::vector<float> best_params;
  {
    const Graph part = model(cnn_layers, recipe + "  epochs " + std::to_string(first) + "\n");
    Trainer trainer(part, data, *backend);
    trainer.start(9);
    trainer.fit({.epoch_begin = {}, .step_end = {}, .epoch_end = [&](const EpochRecord& r) {
                   history.push_back(r);
                   checkpoint = trainer.checkpoint();
                   if (trainer.best_epoch() == r.epoch) best_params = checkpoint.params;
                 },
                 .stop_requested = {}});
  }
  const Graph whole = model(cnn_layers, recipe + "  epochs " + std::to_string(epochs) + "\n");
  Trainer second(whole, data, *backend);
  second.resume(checkpoint, history, best_params);
  EXPECT_EQ(second.epochs_done(), first);
  second.fit(recording_into(history));
  const Trained resumed = result_of(second, history);
  expect_same_run(resumed, straight);
  return resumed;
}

// The progress line's running loss and accuracy are the epoch's so far: on the CPU every step's,
// ending on the epoch's own figures, and starting afresh with each epoch.
TEST(Training, TheRunningFiguresAreTheEpochsSoFar) {
  const Dataset data = test::learnable_dataset(256, 64);  // 8 steps an epoch
  const Graph graph = model(mlp_layers, "  optimizer adam lr=0.01\n  batch 32\n  epochs 2\n");
  auto backend = make_cpu_backend();
  Trainer trainer(graph, data, *backend);
  trainer.start(5);
  std::vector<std::vector<PassMetrics>> running(2);
  std::vector<EpochRecord> history;
  TrainingEvents events = recording_into(history);
  events.step_end = [&](std::int64_t, std::int64_t, const EpochSoFar& so_far) {
    const std::optional<PassMetrics> figures = so_far();
    ASSERT_TRUE(figures.has_value());
    running[history.size()].push_back(*figures);
  };
  trainer.fit(events);
  ASSERT_EQ(history.size(), 2u);
  for (std::size_t epoch = 0; epoch < 2; ++epoch) {
    ASSERT_EQ(running[epoch].size(), 8u);
    for (std::size_t step = 0; step < 8; ++step) EXPECT_EQ(running[epoch][step].samples, 32 * static_cast<std::int64_t>(step + 1));
    EXPECT_EQ(running[epoch].back().loss, history[epoch].loss);
    EXPECT_EQ(running[epoch].back().accuracy, history[epoch].accuracy.value());
  }
}

TEST(Training, ResumingFromACheckpointEqualsNotStopping) {
  const Trained resumed = expect_resuming_equals_not_stopping("  optimizer nadam\n  batch 32\n  validation 0.1\n", 2, 4);
  EXPECT_EQ(resumed.steps_taken, 4 * 6);  // ceil(180 / 32) steps an epoch
}

// A min_delta of 10 makes every epoch after the first a plateau, so the schedule's and early
// stopping's counters are mid-way when the run stops after epoch 3: the plateau in its cooldown,
// early stopping two epochs into its patience.
TEST(Training, ResumingWithAPlateauAndEarlyStoppingEqualsNotStopping) {
  const Trained resumed = expect_resuming_equals_not_stopping(
      "  optimizer nadam\n  batch 32\n  validation 0.1\n  schedule plateau factor=0.5 patience=1 min_delta=10 cooldown=2\n"
      "  early_stopping patience=4 min_delta=10 restore_best=true\n",
      3, 8);
  std::vector<double> rates;
  for (const EpochRecord& r : resumed.history) rates.push_back(r.lr);
  EXPECT_EQ(rates, (std::vector<double>{0.001, 0.001, 0.0005, 0.0005, 0.00025}));
  EXPECT_TRUE(resumed.history.back().stopped_early);
}

// Stopped between two steps of epoch 2, as Ctrl-C stops a run, the checkpoint holds that epoch's
// steps done and their metric sums; resuming from it finishes the epoch as if it never stopped
// (dropout draws by the step count, so the steps must line up).
TEST(Training, ResumingFromAStopWithinAnEpochEqualsNotStopping) {
  const Dataset data = test::learnable_dataset(200, 40);
  const Graph graph = model(cnn_layers, "  optimizer nadam\n  batch 32\n  validation 0.1\n  epochs 3\n");
  const Trained straight = train(graph, data, 9);

  auto backend = make_cpu_backend();
  std::vector<EpochRecord> history;
  Checkpoint checkpoint;
  {
    Trainer trainer(graph, data, *backend);
    trainer.start(9);
    TrainingEvents events = recording_into(history);
    events.stop_requested = [&] { return trainer.program().steps_taken() == 8; };  // 6 steps an epoch
    trainer.fit(events);
    ASSERT_TRUE(trainer.interrupted());
    checkpoint = trainer.checkpoint();
  }
  EXPECT_EQ(checkpoint.epochs_done, 1);
  EXPECT_EQ(checkpoint.epoch_progress.steps_done, 2);
  EXPECT_EQ(checkpoint.epoch_progress.sums.samples, 64);
  ASSERT_EQ(history.size(), 1u);
  Trainer second(graph, data, *backend);
  second.resume(checkpoint, history);
  second.fit(recording_into(history));
  EXPECT_FALSE(second.interrupted());
  expect_same_run(result_of(second, history), straight);
}

// Augmentation draws by (seed, step), and the step count is in the checkpoint.
TEST(Training, ResumingWithAugmentationEqualsNotStopping) {
  expect_resuming_equals_not_stopping("  batch 32\n  validation 0.1\n  augment shift=1 rotate=10 flip_vertical=true noise=0.01\n", 1, 3);
}

// Shifts of a pixel and small rotations keep the lit quadrant where it was (a flip would move it
// to another class's).
TEST(Training, LearnsWithAugmentation) {
  const Dataset data = test::learnable_dataset(512, 128);
  const Trained run = train(model(cnn_layers, "  optimizer adam lr=0.01\n  batch 32\n  epochs 8\n  augment shift=1 rotate=10 noise=0.01\n"),
                            data, 5);
  EXPECT_GE(run.test.accuracy, 0.95);
  EXPECT_LT(run.history.back().loss, run.history.front().loss);
}

TEST(Training, ResumingWithAnotherOptimizerIsAClearError) {
  const Dataset data = test::learnable_dataset(64, 16);
  auto backend = make_cpu_backend();
  const Graph adam = model(mlp_layers, "  optimizer adam\n  batch 16\n");
  Trainer first(adam, data, *backend);
  first.start(1);
  std::vector<EpochRecord> history;
  first.fit(recording_into(history));
  const Graph sgd = model(mlp_layers, "  optimizer sgd\n  batch 16\n");
  Trainer second(sgd, data, *backend);
  try {
    second.resume(first.checkpoint(), history);
    ADD_FAILURE() << "resumed with another optimizer";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("but sgd here needs 0; resume with the optimizer the run was trained with"), std::string::npos)
        << e.what();
  }
}

TEST(Training, ResumingWithoutTheHistoryIsAClearError) {
  const Dataset data = test::learnable_dataset(64, 16);
  auto backend = make_cpu_backend();
  const Graph graph = model(mlp_layers, "  batch 16\n  epochs 2\n");
  Trainer first(graph, data, *backend);
  first.start(1);
  first.fit({});
  Trainer second(graph, data, *backend);
  const std::vector<EpochRecord> one_epoch(1);
  try {
    second.resume(first.checkpoint(), one_epoch);
    ADD_FAILURE() << "resumed without the history of every epoch";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              "the checkpoint is at the end of epoch 2, but the history records 1 epochs; resuming replays the record of every epoch done");
  }
}

// A one-layer classifier of the learnable set (batch 1) whose weights from the pixels `overflowing`
// to class 0 are 3e38: an image lighting two of them adds up to an infinite logit, so a NaN loss,
// while the background's noise stays finite. Every other parameter starts at zero.
struct OverflowingRun {
  Dataset data = test::learnable_dataset(64, 16);
  std::unique_ptr<Backend> backend = make_cpu_backend();
  Graph graph;
  std::unique_ptr<Trainer> trainer;

  OverflowingRun(const std::string& on_nan, std::int64_t overflowing) {
    graph = model("flatten\ndense 4 softmax", "  optimizer sgd lr=0.01\n  batch 1\n  epochs 2\n  on_nan " + on_nan + "\n");
    trainer = std::make_unique<Trainer>(graph, data, *backend);
    trainer->start(1);
    std::vector<float> params(trainer->program().read_params().size(), 0.0f);
    for (std::int64_t pixel = 0; pixel < overflowing; ++pixel) params[static_cast<std::size_t>(pixel)] = 3e38f;  // weight[0][pixel]
    trainer->program().write_params(params);
  }
};

TEST(Training, StepsWithANonFiniteLossAreSkippedAndCounted) {
  OverflowingRun run("skip_step", 2);  // pixels (0, 0) and (0, 1): lit in class 0's images alone
  std::vector<EpochRecord> history;
  run.trainer->fit(recording_into(history));
  ASSERT_EQ(history.size(), 2u);
  for (const EpochRecord& record : history) {
    EXPECT_EQ(record.skipped_steps, 16) << "epoch " << record.epoch;  // the 16 images of class 0
    EXPECT_EQ(record.samples, 48);
    EXPECT_TRUE(std::isfinite(record.loss));
  }
  const std::vector<float> params = run.trainer->program().read_params();
  EXPECT_TRUE(std::all_of(params.begin(), params.end(), [](float v) { return std::isfinite(v); }));
  EXPECT_EQ(params[0], 3e38f);
  EXPECT_NE(params[2], 0.0f);  // the finite steps trained
}

TEST(Training, ANonFiniteLossStopsTheRunNamingTheEpochAndStep) {
  OverflowingRun run("stop", 2);
  try {
    run.trainer->fit({});
    ADD_FAILURE() << "trained on through a NaN loss";
  } catch (const Diverged& e) {
    EXPECT_TRUE(std::regex_match(e.what(), std::regex(R"(training diverged: the loss was not finite \(NaN or infinite\) at epoch 1, step \d+/64)")))
        << e.what();
  }
  EXPECT_EQ(run.trainer->epochs_done(), 0);
}

TEST(Training, AnEpochOfNothingButSkippedStepsStopsTheRun) {
  OverflowingRun run("skip_step", 64);  // every pixel: every image overflows
  try {
    run.trainer->fit({});
    ADD_FAILURE() << "trained on with every step skipped";
  } catch (const Diverged& e) {
    EXPECT_STREQ(e.what(), "training diverged: the loss was not finite (NaN or infinite) at every step of epoch 1");
  }
}

// An epoch's record where every figure is `value`, whichever one is monitored.
EpochRecord scripted(std::int64_t epoch, double value) {
  return {.epoch = epoch, .loss = value, .accuracy = value, .val_loss = value, .val_accuracy = value};
}

// The learning rate of each epoch, the schedule fed one figure per epoch.
std::vector<double> learning_rates(const std::string& train, const std::vector<double>& figures) {
  LearningRateSchedule schedule(model(mlp_layers, train).train);
  std::vector<double> rates;
  for (std::size_t e = 0; e < figures.size(); ++e) {
    rates.push_back(schedule.lr());
    schedule.epoch_end(scripted(static_cast<std::int64_t>(e) + 1, figures[e]));
  }
  return rates;
}

void expect_rates(const std::vector<double>& actual, const std::vector<double>& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (std::size_t e = 0; e < actual.size(); ++e) EXPECT_DOUBLE_EQ(actual[e], expected[e]) << "epoch " << e + 1;
}

TEST(LearningRateSchedules, StepExponentialAndCosineByEpoch) {
  const std::vector<double> flat(5, 1.0);
  expect_rates(learning_rates("  optimizer sgd lr=0.1\n  epochs 5\n", flat), {0.1, 0.1, 0.1, 0.1, 0.1});
  expect_rates(learning_rates("  optimizer sgd lr=0.1\n  epochs 5\n  schedule step every=2 factor=0.5\n", flat),
               {0.1, 0.1, 0.05, 0.05, 0.025});
  expect_rates(learning_rates("  optimizer sgd lr=0.1\n  epochs 5\n  schedule exponential rate=0.9\n", flat),
               {0.1, 0.09, 0.081, 0.0729, 0.06561});
  // Over 4 epochs from 0.1 towards 0.01: cos(0), cos(pi/4), cos(pi/2), cos(3pi/4).
  expect_rates(learning_rates("  optimizer sgd lr=0.1\n  epochs 4\n  schedule cosine min_lr=0.01\n", {1, 1, 1, 1}),
               {0.1, 0.01 + 0.09 * (2 + std::sqrt(2.0)) / 4, 0.055, 0.01 + 0.09 * (2 - std::sqrt(2.0)) / 4});
}

TEST(LearningRateSchedules, PlateauAsReduceLROnPlateau) {
  // Patience 2 with min_delta 0.01: epoch 2 is no improvement (0.995 > 1 - 0.01), epoch 3 is;
  // epochs 4 and 5 are not, so epoch 6 trains at half the rate. Cooldown 2 keeps epoch 6 from
  // counting (epoch 7 counts again: Keras counts the cooldown down before it checks), so epoch 8
  // ends the next plateau. Epoch 9 improves within its cooldown; epochs 10 and 11 do not, and
  // the third reduction stops at min_lr, where the rate stays.
  const std::vector<double> val_losses = {1.0, 0.995, 0.98, 0.98, 0.975, 0.99, 0.99, 0.99, 0.5, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6};
  expect_rates(learning_rates("  optimizer sgd lr=0.1\n  validation 0.1\n"
                              "  schedule plateau factor=0.5 patience=2 min_delta=0.01 cooldown=2 min_lr=0.02\n",
                              val_losses),
               {0.1, 0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.02, 0.02, 0.02, 0.02});
  // On an accuracy, higher is better.
  expect_rates(learning_rates("  optimizer sgd lr=0.1\n  validation 0.1\n  schedule plateau val_accuracy factor=0.5 patience=1\n",
                              {0.5, 0.6, 0.55, 0.7}),
               {0.1, 0.1, 0.1, 0.05});
}

struct Stopping {
  std::int64_t stopped_at = 0;  // 0: never
  std::int64_t best_epoch = 0;
};

// Where early stopping stops and which epoch it holds best, fed one figure per epoch.
Stopping early_stopping_on(const std::string& train, const std::vector<double>& figures) {
  EarlyStopping early_stopping(model(mlp_layers, train).train);
  for (std::size_t e = 0; e < figures.size() && !early_stopping.stopped(); ++e) {
    early_stopping.epoch_end(scripted(static_cast<std::int64_t>(e) + 1, figures[e]));
    if (early_stopping.stopped()) return {static_cast<std::int64_t>(e) + 1, early_stopping.best_epoch()};
  }
  return {0, early_stopping.best_epoch()};
}

TEST(EarlyStopping, StopsAfterPatienceEpochsWithoutImprovement) {
  const std::string validated = "  validation 0.1\n";
  const Stopping patient = early_stopping_on(validated + "  early_stopping patience=2\n", {1.0, 0.8, 0.85, 0.79, 0.9, 0.95, 0.7});
  EXPECT_EQ(patient.stopped_at, 6);
  EXPECT_EQ(patient.best_epoch, 4);
  // Keras' default patience 0 stops at the first epoch that does not improve; accuracies improve upwards.
  const Stopping impatient = early_stopping_on(validated + "  early_stopping val_accuracy\n", {0.5, 0.6, 0.6, 0.7});
  EXPECT_EQ(impatient.stopped_at, 3);
  EXPECT_EQ(impatient.best_epoch, 2);
  // Epoch 2 falls by less than min_delta: no improvement.
  const Stopping strict = early_stopping_on("  early_stopping loss patience=1 min_delta=0.1\n", {1.0, 0.95, 0.8});
  EXPECT_EQ(strict.stopped_at, 2);
  EXPECT_EQ(strict.best_epoch, 1);
  // With a baseline, as Keras: an improvement short of it leaves the wait counting (an improving
  // epoch itself never stops), and one past it restarts the wait.
  const std::string below_half = validated + "  early_stopping patience=2 baseline=0.5\n";
  EXPECT_EQ(early_stopping_on(below_half, {1.0, 0.9, 0.95, 0.85}).stopped_at, 3);
  EXPECT_EQ(early_stopping_on(below_half, {1.0, 0.9, 0.95, 0.85}).best_epoch, 2);
  EXPECT_EQ(early_stopping_on(validated + "  early_stopping patience=2\n", {1.0, 0.9, 0.95, 0.85}).stopped_at, 0);
  EXPECT_EQ(early_stopping_on(below_half, {1.0, 0.4, 0.45, 0.42, 0.5}).stopped_at, 4);
  // start_from_epoch: the warm-up's epochs are not judged (epoch 1's low loss is passed over), the
  // latest of them standing as the best until the first judged epoch.
  const std::string warmed_up = validated + "  early_stopping patience=1 start_from_epoch=2\n";
  const Stopping after_warm_up = early_stopping_on(warmed_up, {0.5, 0.9, 1.0, 0.95, 0.97});
  EXPECT_EQ(after_warm_up.stopped_at, 5);
  EXPECT_EQ(after_warm_up.best_epoch, 4);
  EXPECT_EQ(early_stopping_on(warmed_up, {0.5, 0.9}).best_epoch, 2);
  EXPECT_EQ(early_stopping_on(validated + "  early_stopping patience=1\n", {0.5, 0.9, 1.0}).stopped_at, 2);
  // Without early stopping: the lowest val_loss (the first of equals) is best, and nothing stops.
  const Stopping none = early_stopping_on(validated, {1.0, 0.5, 0.5, 0.7});
  EXPECT_EQ(none.stopped_at, 0);
  EXPECT_EQ(none.best_epoch, 2);
}

// With min_delta 10 no epoch improves on the first, so patience 2 stops the run after epoch 3.
TEST(EarlyStopping, EndsARealRunAndRestoresTheBestEpoch) {
  const Dataset data = test::learnable_dataset(128, 32);
  for (const bool restore : {false, true}) {
    const Graph graph = model(mlp_layers, std::string("  optimizer adam lr=0.01\n  batch 32\n  epochs 10\n  validation 0.25\n") +
                                              "  early_stopping patience=2 min_delta=10 restore_best=" + (restore ? "true\n" : "false\n"));
    auto backend = make_cpu_backend();
    Trainer trainer(graph, data, *backend);
    trainer.start(7);
    std::vector<std::vector<float>> params_after;  // each epoch's
    std::vector<EpochRecord> history;
    trainer.fit({.epoch_begin = {}, .step_end = {}, .epoch_end = [&](const EpochRecord& r) {
                   history.push_back(r);
                   params_after.push_back(trainer.program().read_params());
                 },
                 .stop_requested = {}});
    ASSERT_EQ(history.size(), 3u);
    EXPECT_EQ(trainer.epochs_done(), 3);
    EXPECT_TRUE(trainer.stopped_early());
    EXPECT_FALSE(history[1].stopped_early);
    EXPECT_TRUE(history[2].stopped_early);
    EXPECT_EQ(trainer.best_epoch(), 1);
    EXPECT_NE(params_after[0], params_after[2]);
    EXPECT_EQ(trainer.program().read_params(), params_after[restore ? 0 : 2]) << "restore_best=" << restore;
  }
}

// After a warm-up of 2 epochs, epoch 3 is the first judged and so the best (min_delta 10: none
// after it improves); patience 2 stops the run after epoch 5 and restores epoch 3's parameters.
TEST(EarlyStopping, AWarmUpTrainsBeforeAnyEpochIsJudged) {
  const Dataset data = test::learnable_dataset(128, 32);
  const Graph graph = model(mlp_layers, "  optimizer adam lr=0.01\n  batch 32\n  epochs 10\n  validation 0.25\n"
                                        "  early_stopping patience=2 min_delta=10 restore_best=true start_from_epoch=2\n");
  auto backend = make_cpu_backend();
  Trainer trainer(graph, data, *backend);
  trainer.start(7);
  std::vector<std::vector<float>> params_after;
  trainer.fit({.epoch_begin = {}, .step_end = {}, .epoch_end = [&](const EpochRecord&) { params_after.push_back(trainer.program().read_params()); },
               .stop_requested = {}});
  ASSERT_EQ(params_after.size(), 5u);
  EXPECT_TRUE(trainer.stopped_early());
  EXPECT_EQ(trainer.best_epoch(), 3);
  EXPECT_EQ(trainer.program().read_params(), params_after[2]);
}

TEST(Training, AutoencoderReconstructionLossFalls) {
  const Dataset data = test::learnable_dataset(256, 64);
  const Trained run = train(model("conv2d 4 3x3 same relu\nmaxpool 2\nupsample 2\nconv2d 1 3x3 same sigmoid",
                                  "  loss bce\n  optimizer adam lr=0.01\n  batch 32\n  epochs 5\n"),
                            data, 2);
  for (std::size_t e = 1; e < run.history.size(); ++e) EXPECT_LT(run.history[e].loss, run.history[e - 1].loss) << "epoch " << e + 1;
  EXPECT_FALSE(run.history.back().accuracy.has_value());
}

// Whole model, loss included: one SGD step with lr 1 moves each weight by minus its gradient,
// which is compared with central differences of the mean loss over the same batch.
TEST(Training, WholeModelGradientsMatchFiniteDifferences) {
  const Dataset data = test::learnable_dataset(8, 8);
  // Smooth activations: a relu kink within the finite-difference step would blur the comparison.
  for (const std::string& layers : {std::string("flatten\ndense 16 tanh\ndense 4 softmax"),
                                    std::string("conv2d 3 3x3 tanh\navgpool 2\nflatten\ndense 4 softmax"),
                                    std::string("conv2d 2 3x3 same tanh\nflatten\ndense 64 sigmoid\nreshape 8x8x1")}) {
    const bool autoencoder = layers.find("reshape") != std::string::npos;
    const Graph graph = model(layers, std::string(autoencoder ? "  loss mse\n" : "") + "  optimizer sgd lr=1\n  batch 8\n  epochs 1\n");
    auto backend = make_cpu_backend();
    Program program(graph, *backend, 8);
    program.initialize(4);
    const DeviceImages images = program.upload(data.train);
    std::vector<std::int32_t> all(8);
    std::iota(all.begin(), all.end(), 0);
    DeviceIds ids = program.upload_ids(all);
    const std::vector<float> before = program.read_params();
    program.train_epoch(images, ids, 1, 1.0);
    const std::vector<float> after = program.read_params();
    std::vector<float> probe = before;
    const double step = 1e-3;
    for (std::size_t i = 0; i < static_cast<std::size_t>(program.plan().trainable_elements); i += 7) {
      const auto loss_at = [&](double value) {
        probe[i] = static_cast<float>(value);
        program.write_params(probe);
        return program.evaluate(images, ids).loss;
      };
      const double numeric = (loss_at(before[i] + step) - loss_at(before[i] - step)) / (2 * step);
      probe[i] = before[i];
      const double analytic = before[i] - after[i];
      EXPECT_NEAR(analytic, numeric, 2e-3 + 2e-2 * std::fabs(numeric)) << layers << ": parameter element " << i;
    }
  }
}

}  // namespace
}  // namespace gpufm
