// `gpufm train` and `gpufm eval` as a user runs them, on a small generated IDX set.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <csignal>
#include <fstream>
#include <numeric>
#include <regex>
#include <sstream>

#include "support/expect_error.hpp"
#include "support/learnable_set.hpp"
#include "support/run_command.hpp"
#include "support/temp_dir.hpp"

namespace gpufm::test {
namespace {

nlohmann::json read_json(const std::filesystem::path& path) { return nlohmann::json::parse(std::ifstream(path)); }

class TrainCli : public testing::Test {
 protected:
  void SetUp() override {
    write_learnable_set(dir.path(), 256, 64);
    model = dir.write("small.dsl", learnable_classifier).string();
  }
  std::string out(const std::string& name) const { return (dir / name).string(); }
  TempDir dir;
  std::string model;
};

// On a terminal the bar is redrawn as steps end (at most every 50 ms, as Keras), with the epoch's
// running loss and accuracy so far; the epoch ends on its line. 256 steps of a few milliseconds
// here, so that the epoch lasts long enough to be redrawn, on more cores too.
TEST_F(TrainCli, OnATerminalTheBarShowsTheRunningLossAndAccuracy) {
  const TempDir data;
  write_learnable_set(data.path(), 1024, 64);
  const std::string slow = dir.write("slow.dsl",
                                     "input 8x8x1\nconv2d 128 3x3 same relu\nconv2d 128 3x3 same relu\nflatten\ndense 4 softmax\n"
                                     "train:\n  optimizer adam lr=0.001\n  batch 4\n  epochs 1\n")
                                 .string();
  const CommandResult result = run_gpufm_on_terminal({"train", slow, "--data", data.path().string(), "--out", out("run"), "--device", "cpu"});
  ASSERT_EQ(result.exit_code, 0) << result.out;
  EXPECT_TRUE(std::regex_search(result.out, std::regex("\r[ 0-9]{2}[0-9]/256 \\[=*>\\.*\\] - ETA: [0-9]+s - loss: [0-9]\\.[0-9]{4} - "
                                                       "accuracy: [01]\\.[0-9]{4}")))
      << result.out;
  EXPECT_TRUE(std::regex_search(result.out, std::regex("\r256/256 \\[=+\\] - [0-9]+s [0-9]+(s|ms|us)/step - loss: [0-9.]+ - accuracy: [0-9.]+ *\r\n")))
      << result.out;
}

TEST_F(TrainCli, TrainsAndWritesTheRunDirectory) {
  const CommandResult result = run_gpufm({"train", model, "--data", dir.path().string(), "--out", out("run"), "--device", "cpu"});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(result.out.substr(0, result.out.find('\n')), "Using " + model + " (given), data " + dir.path().string() + " (given)");
  expect_contains(result.out, {"Model: small (", "204 training images, validating on the last 52", "Device: CPU (", "Epoch 1/3\n",
                               "Epoch 3/3\n", "Test (final model): loss ", " on 64 images", "Best epoch "});
  // Not on a terminal, each epoch ends with Keras' verbose=2 line.
  EXPECT_TRUE(std::regex_search(result.out, std::regex("\nEpoch 3/3\n7/7 - [0-9]+s - loss: [0-9.]+ - accuracy: [0-9.]+ - val_loss: [0-9.]+ - "
                                                       "val_accuracy: [0-9.]+ - [0-9]+(s|ms|us)/epoch - [0-9]+(s|ms|us)/step\n")))
      << result.out;
  for (const char* file : {"model.dsl", "settings.json", "history.csv", "history.json", "checkpoint.safetensors", "best.safetensors",
                           "metrics.json"}) {
    EXPECT_TRUE(std::filesystem::is_regular_file(dir / "run" / file)) << file;
  }
  const auto metrics = read_json(dir / "run" / "metrics.json");
  EXPECT_EQ(metrics["epochs"], 3);
  EXPECT_GE(metrics["test"]["accuracy"].get<double>(), 0.9);
  // The test's scores as eval --json gives them: the report and the 4 x 4 confusion matrix.
  EXPECT_EQ(metrics["test"]["classification_report"]["accuracy"], metrics["test"]["accuracy"]);
  EXPECT_EQ(metrics["test"]["classification_report"]["weighted avg"]["support"], 64);
  std::int64_t counted = 0;
  for (const auto& row : metrics["test"]["confusion_matrix"]) {
    EXPECT_EQ(row.size(), 4u);
    for (const auto& count : row) counted += count.get<std::int64_t>();
  }
  EXPECT_EQ(counted, 64);
  // The report counts each class in the parts trained on (the first 204 of 256), validated on (the
  // last 52) and tested on; the set's labels go round the four classes.
  expect_contains(read_file(dir / "run" / "report.html"),
                  {"<tr><td>0</td><td>51 (25.0%)</td><td>13 (25.0%)</td><td>16 (25.0%)</td></tr>"});
  std::ifstream history(dir / "run" / "history.csv");
  std::string header;
  std::getline(history, header);
  EXPECT_EQ(header, "epoch,accuracy,learning_rate,loss,seconds,val_accuracy,val_loss");
  std::vector<std::string> rows;
  for (std::string line; std::getline(history, line);) rows.push_back(line);
  ASSERT_EQ(rows.size(), 3u);
  // Epoch from 0, and each number as written reads back as history.json's double.
  const auto epochs = read_json(dir / "run" / "history.json");
  EXPECT_TRUE(rows[2].starts_with("2," + epochs[2]["accuracy"].dump() + ",")) << rows[2];
  EXPECT_EQ(std::stod(rows[2].substr(rows[2].rfind(',') + 1)), epochs[2]["val_loss"].get<double>()) << rows[2];
  // The model as used compiles again, with the override applied.
  const CommandResult again = run_gpufm({"train", model, "--data", dir.path().string(), "--out", out("run2"), "--set", "batch=16",
                                         "--epochs", "1"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  const CommandResult summary = run_gpufm({"summary", out("run2") + "/model.dsl"});
  EXPECT_EQ(summary.exit_code, 0) << summary.err;
  expect_contains(summary.out, {"batch 16, 1 epoch"});
}

TEST_F(TrainCli, EvalPrintsTheConfusionMatrixAndReport) {
  ASSERT_EQ(run_gpufm({"train", model, "--data", dir.path().string(), "--out", out("run")}).exit_code, 0);
  const CommandResult result = run_gpufm({"eval", out("run")});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  expect_contains(result.out, {"Model small, ", "on 64 test images", "accuracy: ", "Confusion matrix (rows: true class, columns: predicted)",
                               "  3 3 ", "precision    recall  f1-score   support", "macro avg", "weighted avg"});
  const CommandResult json = run_gpufm({"eval", out("run"), "--best", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const auto figures = nlohmann::ordered_json::parse(json.out);
  EXPECT_EQ(figures["samples"], 64);
  EXPECT_EQ(figures["confusion_matrix"].size(), 4u);
  // The report as scikit-learn's classification_report(output_dict=True): the classes in order, then
  // the accuracy and the two averages over all 64 images.
  const nlohmann::ordered_json& report = figures["classification_report"];
  std::vector<std::string> keys;
  for (const auto& [key, value] : report.items()) keys.push_back(key);
  const std::vector<std::string> expected_keys = {"0", "1", "2", "3", "accuracy", "macro avg", "weighted avg"};
  EXPECT_EQ(keys, expected_keys);
  for (const char* average : {"macro avg", "weighted avg"}) {
    EXPECT_EQ(report[average]["support"], 64) << average;
    for (const char* score : {"precision", "recall", "f1-score"}) EXPECT_TRUE(report[average][score].is_number()) << average << score;
  }
  EXPECT_EQ(report["accuracy"], figures["accuracy"]);
  // A checkpoint inside its run is evaluated as the run: its model's name and its data.
  const CommandResult checkpoint = run_gpufm({"eval", out("run") + "/checkpoint.safetensors"});
  ASSERT_EQ(checkpoint.exit_code, 0) << checkpoint.err;
  expect_contains(checkpoint.out, {"Model small, ", "on 64 test images"});
  // Data files are all four or none, as for training; a run's model is its own.
  expect_one_line_error(run_gpufm({"eval", out("run"), "--test-images", (dir / "absent").string()}), 2,
                        {"give all of --train-images, --train-labels, --test-images, --test-labels, or none"});
  expect_one_line_error(run_gpufm({"eval", out("run"), "--model", model}), 2, {"--model " + model, "its own model"});
}

// eval --predictions: a CSV row per test image whose prediction is its largest output, whose
// outputs are probabilities, and whose correct rows make the accuracy eval reports.
TEST_F(TrainCli, EvalWritesEachTestImagesPrediction) {
  ASSERT_EQ(run_gpufm({"train", model, "--data", dir.path().string(), "--out", out("run")}).exit_code, 0);
  const CommandResult result = run_gpufm({"eval", out("run"), "--json", "--predictions", out("predictions.csv")});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto figures = nlohmann::json::parse(result.out);
  const std::string header = "index,label,predicted,0,1,2,3";  // the set's classes have no names but their numbers
  std::istringstream csv(read_file(dir / "predictions.csv"));
  std::string line;
  ASSERT_TRUE(std::getline(csv, line));
  EXPECT_EQ(line, header);
  std::int64_t rows = 0, correct = 0;
  while (std::getline(csv, line)) {
    std::istringstream fields(line);
    std::vector<double> values;
    for (std::string field; std::getline(fields, field, ',');) values.push_back(std::stod(field));
    ASSERT_EQ(values.size(), 7u) << line;
    EXPECT_EQ(values[0], static_cast<double>(rows));
    const auto largest = std::max_element(values.begin() + 3, values.end()) - (values.begin() + 3);
    EXPECT_EQ(values[2], static_cast<double>(largest)) << line;
    EXPECT_NEAR(std::accumulate(values.begin() + 3, values.end(), 0.0), 1.0, 1e-5) << line;
    correct += values[1] == values[2] ? 1 : 0;
    ++rows;
  }
  EXPECT_EQ(rows, 64);
  EXPECT_DOUBLE_EQ(static_cast<double>(correct) / 64.0, figures["accuracy"].get<double>());
  const CommandResult plain = run_gpufm({"eval", out("run"), "--predictions", out("again.csv")});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  expect_contains(plain.out, {"Predictions: " + out("again.csv") + "\n"});
  EXPECT_EQ(read_file(dir / "again.csv"), read_file(dir / "predictions.csv"));
}

TEST_F(TrainCli, ResumeContinuesToMoreEpochs) {
  ASSERT_EQ(run_gpufm({"train", model, "--data", dir.path().string(), "--out", out("run"), "--epochs", "2"}).exit_code, 0);
  const CommandResult result = run_gpufm({"train", "--resume", out("run"), "--epochs", "3"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  expect_contains(result.out, {"resuming at epoch 3", "Epoch 3/3"});
  EXPECT_EQ(result.out.find("Epoch 2/3"), std::string::npos);
  const auto metrics = read_json(dir / "run" / "metrics.json");
  EXPECT_EQ(metrics["epochs"], 3);
}

// The data's 4 classes under a model with 6 outputs (as a 10-class model on a subset of the
// classes): the report and eval name the outputs past the data's last class by number.
TEST_F(TrainCli, AModelWithMoreOutputsThanTheDataHasClassesReports) {
  std::string six_outputs = learnable_classifier;
  six_outputs.replace(six_outputs.find("dense 4 softmax"), 15, "dense 6 softmax");
  const std::string file = dir.write("six.dsl", six_outputs).string();
  const CommandResult trained = run_gpufm({"train", file, "--data", dir.path().string(), "--out", out("run"), "--epochs", "1"});
  ASSERT_EQ(trained.exit_code, 0) << trained.err;
  EXPECT_TRUE(std::filesystem::exists(dir / "run" / "confusion.svg"));
  const CommandResult evaluated = run_gpufm({"eval", out("run"), "--json"});
  ASSERT_EQ(evaluated.exit_code, 0) << evaluated.err;
  EXPECT_EQ(nlohmann::json::parse(evaluated.out)["confusion_matrix"].size(), 6u);
}

// The two commands of encoder reuse: an autoencoder, then a classifier on its frozen encoder,
// fine-tuned after its first epoch; the classifier's run records the encoder's layers, so that
// eval needs only its own directory.
TEST_F(TrainCli, AClassifierTakesATrainedEncoderFrozenThenFineTuned) {
  const std::string autoencoder = dir.write("ae.dsl", "input 8x8x1\nblock encoder:\n  conv2d 4 3x3 same relu\n  maxpool 2\n"
                                                      "block decoder:\n  upsample 2\n  conv2d 1 3x3 same sigmoid\n"
                                                      "train:\n  loss mse\n  batch 32\n  epochs 1\n").string();
  ASSERT_EQ(run_gpufm({"train", autoencoder, "--data", dir.path().string(), "--out", out("ae")}).exit_code, 0);
  expect_one_line_error(run_gpufm({"eval", out("ae"), "--predictions", out("ae.csv")}), 2,
                        {"--predictions: model 'ae' reproduces its input and has no classes to predict; gpufm reconstruct shows its outputs"});
  // CSVLogger's columns for a model without accuracy or validation.
  const std::string autoencoder_history = read_file(dir / "ae" / "history.csv");
  EXPECT_EQ(autoencoder_history.substr(0, autoencoder_history.find('\n')), "epoch,learning_rate,loss,seconds,val_loss");
  EXPECT_TRUE(autoencoder_history.ends_with(",NA\n")) << autoencoder_history;
  const std::string classifier =
      dir.write("classifier.dsl", "let encoder_run = \"nowhere\"\ninput 8x8x1\nblock encoder from $encoder_run frozen\nflatten\n"
                                  "dense 4 softmax\ntrain:\n  optimizer adam lr=0.01\n  batch 32\n  epochs 1\n  validation 0.2\n"
                                  "  fine_tune epochs=1 lr=0.001\n").string();
  const CommandResult missing = run_gpufm({"train", classifier, "--data", dir.path().string(), "--out", out("nowhere")});
  expect_one_line_error(missing, 2, {"classifier.dsl:3:7", "nowhere: no such run directory", "--set encoder_run=DIR"});
  const CommandResult trained =
      run_gpufm({"train", classifier, "--data", dir.path().string(), "--out", out("classifier"), "--set", "encoder_run=" + out("ae")});
  ASSERT_EQ(trained.exit_code, 0) << trained.out << trained.err;
  expect_contains(trained.out, {"Epoch 1/2\n", "Epoch 2: fine-tuning every layer from here, a new adam at lr 0.001\nEpoch 2/2\n",
                                "then fine_tune 1 epoch at lr=0.001", " - lr: 0.0010 - "});
  expect_contains(read_file(dir / "classifier" / "model.dsl"),
                  {"block encoder from $encoder_run frozen:\n  conv2d 4 3x3 same relu\n  maxpool 2\nflatten\n"});
  expect_contains(read_file(dir / "classifier" / "history.csv"), {",0.01,", ",0.001,"});
  EXPECT_EQ(read_json(dir / "classifier" / "settings.json")["train"]["fine_tune"], nlohmann::json({{"epochs", 1}, {"lr", 0.001}}));
  std::filesystem::remove_all(dir / "ae");  // eval reads the classifier's own checkpoint
  const CommandResult evaluated = run_gpufm({"eval", out("classifier")});
  EXPECT_EQ(evaluated.exit_code, 0) << evaluated.err;
}

TEST_F(TrainCli, SettingsRecordTheAugmentationAndEarlyStoppingsBaseline) {
  const CommandResult result = run_gpufm({"train", model, "--data", dir.path().string(), "--out", out("run"), "--epochs", "1", "--set",
                                          "augment.flip_horizontal=true", "--set", "augment.shift=1", "--set", "early_stopping.baseline=0.25"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto train = read_json(dir / "run" / "settings.json")["train"];
  const auto& augment = train["augment"];
  EXPECT_EQ(augment["flip_horizontal"], true);
  EXPECT_EQ(augment["flip_vertical"], false);
  EXPECT_EQ(augment["shift"], 1);
  EXPECT_EQ(augment["noise"], 0.0);
  EXPECT_EQ(train["early_stopping"]["baseline"], 0.25);
  expect_contains(read_file(dir / "run" / "model.dsl"), {"  early_stopping baseline=0.25\n"});
}

// min_delta 10: no epoch improves on the first, so the plateau halves the rate after epoch 2 and
// early stopping ends the run after epoch 3, restoring epoch 1's parameters.
TEST_F(TrainCli, EarlyStoppingEndsTheRunAndResumesExactly) {
  const std::vector<std::string> recipe = {"--set", "schedule=plateau",          "--set", "schedule.patience=1",
                                           "--set", "schedule.min_delta=10",     "--set", "early_stopping=val_loss",
                                           "--set", "early_stopping.patience=2", "--set", "early_stopping.min_delta=10",
                                           "--set", "early_stopping.restore_best=true"};
  const auto train = [&](const std::string& run, const std::string& epochs) {
    std::vector<std::string> args = {"train", model, "--data", dir.path().string(), "--out", out(run), "--epochs", epochs};
    args.insert(args.end(), recipe.begin(), recipe.end());
    return run_gpufm(args);
  };
  const CommandResult straight = train("run", "6");
  ASSERT_EQ(straight.exit_code, 0) << straight.out << straight.err;
  expect_contains(straight.out, {"schedule plateau val_loss factor=0.1 patience=1 min_delta=10, early_stopping val_loss patience=2 "
                                 "min_delta=10 restore_best=true",
                                 " - lr: 0.0100 - ", " - lr: 0.0010 - ", "Epoch 3: early stopping\n",
                                 "Restoring model weights from the end of the best epoch: 1.\n", "Best epoch 1 (val_loss "});
  EXPECT_EQ(straight.out.find("Epoch 4/6"), std::string::npos);
  const auto metrics = read_json(dir / "run" / "metrics.json");
  EXPECT_EQ(metrics["epochs"], 3);
  EXPECT_EQ(metrics["stopped_early"], true);
  EXPECT_EQ(metrics["stopped_epoch"], 3);
  EXPECT_EQ(metrics["restored_epoch"], 1);
  const auto history = read_json(dir / "run" / "history.json");
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[2]["stopped_early"], true);
  EXPECT_FALSE(history[1].contains("stopped_early"));
  EXPECT_EQ(history[2]["lr"], 0.001);
  const auto settings = read_json(dir / "run" / "settings.json")["train"];
  EXPECT_EQ(settings["schedule"]["name"], "plateau");
  EXPECT_EQ(settings["schedule"]["patience"], 1);
  EXPECT_EQ(settings["early_stopping"]["restore_best"], true);
  EXPECT_FALSE(settings["early_stopping"].contains("baseline"));
  EXPECT_EQ(settings["early_stopping"]["start_from_epoch"], 0);
  EXPECT_TRUE(settings["augment"].is_null());
  EXPECT_EQ(settings["precision"], nlohmann::json({{"name", "fp32"}}));
  EXPECT_EQ(settings["on_nan"], "stop");
  EXPECT_TRUE(settings["fine_tune"].is_null());
  EXPECT_EQ(settings["optimizer"], nlohmann::json({{"name", "adam"}, {"lr", 0.01}, {"beta1", 0.9}, {"beta2", 0.999}, {"epsilon", 1e-7},
                                                   {"weight_decay", 0.0}}))
      << "adam's own hyperparameters, no momentum";

  // Stopped after epoch 2 and resumed: the same run, the same final model.
  ASSERT_EQ(train("part", "2").exit_code, 0);
  const CommandResult resumed = run_gpufm({"train", "--resume", out("part"), "--epochs", "6"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  expect_contains(resumed.out, {"resuming at epoch 3", "Epoch 3: early stopping\n"});
  const auto resumed_metrics = read_json(dir / "part" / "metrics.json");
  for (const char* key : {"epochs", "stopped_epoch", "restored_epoch", "best", "final", "test"}) {
    EXPECT_EQ(resumed_metrics[key], metrics[key]) << key;
  }
}

// Batches of 4 make an epoch of 51 short steps, so that a signal after "Epoch 2/" lands within
// epoch 3 or soon after; the run would take minutes to end on its own.
class InterruptedTrainCli : public TrainCli {
 protected:
  RunningGpufm start_training(const std::string& run) const {
    return RunningGpufm({"train", model, "--data", dir.path().string(), "--out", out(run), "--device", "cpu", "--set", "batch=4",
                         "--epochs", "10000"});
  }
  // The run directory's epochs done, by its history.
  std::int64_t epochs_done(const std::string& run) const {
    return static_cast<std::int64_t>(read_json(dir / run / "history.json").size());
  }
};

TEST_F(InterruptedTrainCli, CtrlCSavesAndResumingFinishesAsIfNeverInterrupted) {
  RunningGpufm training = start_training("run");
  ASSERT_TRUE(training.wait_for_output("Epoch 2/", std::chrono::seconds(60)));
  training.send(SIGINT);
  const CommandResult interrupted = training.finish();
  ASSERT_EQ(interrupted.exit_code, 130) << interrupted.out << interrupted.err;
  expect_contains(interrupted.err, {"gpufm: interrupted at epoch ", "/51; saved " + out("run") + "; resume with: gpufm train --resume " +
                                                                       out("run") + "\n"});
  EXPECT_FALSE(std::filesystem::exists(dir / "run" / "metrics.json"));

  // Resumed to the end of the epoch after the one interrupted, and trained straight that far.
  const std::string epochs = std::to_string(epochs_done("run") + 2);
  const CommandResult resumed = run_gpufm({"train", "--resume", out("run"), "--epochs", epochs});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  expect_contains(resumed.out, {"resuming at epoch "});
  const CommandResult straight = run_gpufm({"train", model, "--data", dir.path().string(), "--out", out("straight"), "--device", "cpu",
                                            "--set", "batch=4", "--epochs", epochs});
  ASSERT_EQ(straight.exit_code, 0) << straight.err;
  const auto resumed_metrics = read_json(dir / "run" / "metrics.json"), straight_metrics = read_json(dir / "straight" / "metrics.json");
  for (const char* key : {"epochs", "best_epoch", "best", "final", "test"}) EXPECT_EQ(resumed_metrics[key], straight_metrics[key]) << key;
}

// Interrupted before its first epoch ended, a run has no history yet and still resumes.
TEST_F(InterruptedTrainCli, CtrlCInTheFirstEpochLeavesARunThatResumes) {
  RunningGpufm training = start_training("run");
  ASSERT_TRUE(training.wait_for_output("Run: ", std::chrono::seconds(60)));
  training.send(SIGINT);
  const CommandResult interrupted = training.finish();
  ASSERT_EQ(interrupted.exit_code, 130) << interrupted.out << interrupted.err;
  const CommandResult resumed = run_gpufm({"train", "--resume", out("run"), "--epochs", std::to_string(epochs_done("run") + 1)});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(read_json(dir / "run" / "metrics.json")["epochs"], epochs_done("run"));
}

// The second signal ends the process at once (exit 130 all the same); what was saved stays whole.
TEST_F(InterruptedTrainCli, ASecondSignalStopsAtOnceAndLeavesTheSavedFilesWhole) {
  RunningGpufm training = start_training("run");
  ASSERT_TRUE(training.wait_for_output("Epoch 3/", std::chrono::seconds(60)));  // printed as epoch 3 begins
  // Two signals of one kind could merge into one while pending; two kinds arrive both.
  training.send(SIGTERM);
  training.send(SIGINT);
  const CommandResult interrupted = training.finish();
  ASSERT_EQ(interrupted.exit_code, 130) << interrupted.out << interrupted.err;
  EXPECT_GE(epochs_done("run"), 2);
  const CommandResult checkpoint = run_gpufm({"eval", out("run") + "/checkpoint.safetensors", "--data", dir.path().string()});
  EXPECT_EQ(checkpoint.exit_code, 0) << checkpoint.err;
  const CommandResult resumed = run_gpufm({"train", "--resume", out("run"), "--epochs", std::to_string(epochs_done("run") + 1)});
  EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
}

// A run trained one epoch, then resumed with its model file edited to sgd lr=1e30: epoch 2's
// first step throws the weights so far that every loss after it overflows.
TEST_F(TrainCli, ADivergingRunExitsOneNamingTheEpochAndStepAndKeepsWhatItSaved) {
  const std::string data = dir.path().string();
  const std::string file = dir.write("sgd.dsl", std::regex_replace(learnable_classifier, std::regex("adam lr=0.01"), "sgd lr=0.01")).string();
  ASSERT_EQ(run_gpufm({"train", file, "--data", data, "--out", out("run"), "--epochs", "1"}).exit_code, 0);
  const std::filesystem::path model_dsl = dir / "run" / "model.dsl";
  std::stringstream recorded;
  recorded << std::ifstream(model_dsl).rdbuf();
  std::ofstream(model_dsl) << std::regex_replace(recorded.str(), std::regex("lr=0.01"), "lr=1e30");
  const std::string saved = read_file(dir / "run" / "checkpoint.safetensors");

  expect_one_line_error(run_gpufm({"train", "--resume", out("run"), "--epochs", "3"}), 1,
                        {"training diverged: the loss was not finite (NaN or infinite) at epoch 2, step 2/7; kept the checkpoint of epoch 1 "
                         "and the best one, of epoch 1, in " + out("run") + "; lower the learning rate, or skip such steps with --on-nan skip-step"});
  EXPECT_EQ(read_file(dir / "run" / "checkpoint.safetensors"), saved);
  EXPECT_EQ(nlohmann::json::parse(read_file(dir / "run" / "history.json")).size(), 1u);
  EXPECT_EQ(run_gpufm({"eval", out("run")}).exit_code, 0);

  std::ofstream(model_dsl, std::ios::app) << "  on_nan skip_step\n";
  const CommandResult skipping = run_gpufm({"train", "--resume", out("run"), "--epochs", "3"});
  expect_contains(skipping.out, {"Epoch 2/3", "- skipped 6 steps (loss not finite)"});
  expect_one_line_error(skipping, 1,
                        {"training diverged: the loss was not finite (NaN or infinite) at every step of epoch 3; kept the checkpoint of "
                         "epoch 2 and the best one, of epoch 1, in " + out("run") + "; lower the learning rate\n"});
  const auto history = nlohmann::json::parse(read_file(dir / "run" / "history.json"));
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[1]["skipped_steps"], 6);
  expect_one_line_error(run_gpufm({"train", file, "--data", data, "--on-nan", "skip"}), 2, {"--on-nan", "skip"});
}

TEST_F(TrainCli, JsonGoesToStdoutAndProgressToStderr) {
  const CommandResult result = run_gpufm({"train", model, "--data", dir.path().string(), "--out", out("run"), "--json", "--epochs", "1"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto metrics = nlohmann::json::parse(result.out);
  EXPECT_EQ(metrics["run_dir"], out("run"));
  expect_contains(result.err, {"Epoch 1/1"});
}

// --precision is the model file's precision statement (Keras' policy name mixed_float16 is fp16):
// the run records it, the progress line shows fp16's loss scale, and a resumed run continues with
// the scale its checkpoint holds.
TEST_F(TrainCli, Fp16TrainsWithALossScaleThatTheRunKeeps) {
  const CommandResult result =
      run_gpufm({"train", model, "--data", dir.path().string(), "--out", out("run"), "--epochs", "2", "--precision", "mixed_float16"});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  expect_contains(result.out, {", precision fp16", "Epoch 2/2\n", " - loss scale: 32768"});
  expect_contains(read_file(dir / "run" / "model.dsl"), {"  precision fp16\n"});
  EXPECT_EQ(read_json(dir / "run" / "settings.json")["train"]["precision"],
            nlohmann::json({{"name", "fp16"}, {"initial_scale", 32768.0}, {"growth_steps", 2000}}));
  const CommandResult resumed = run_gpufm({"train", "--resume", out("run"), "--epochs", "3"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  expect_contains(resumed.out, {"Epoch 3/3", " - loss scale: 32768"});
  const auto history = read_json(dir / "run" / "history.json");
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[2]["loss_scale"], 32768);
  EXPECT_GE(read_json(dir / "run" / "metrics.json")["test"]["accuracy"].get<double>(), 0.9);
  expect_one_line_error(run_gpufm({"train", model, "--data", dir.path().string(), "--precision", "fp8"}), 2,
                        {"--precision: 'fp8': expected fp32, tf32, bf16 or fp16 (or an alias: float32, mixed_bfloat16, "
                         "mixed_float16, 32-true, bf16-mixed, 16-mixed)"});
  expect_one_line_error(run_gpufm({"train", "--resume", out("run"), "--precision", "bf16"}), 2,
                        {"--resume continues the run with its own model, settings, data and seed; give no --precision"});
}

TEST_F(TrainCli, BadInputExitsTwoWithOneLine) {
  const std::string data = dir.path().string();
  expect_one_line_error(run_gpufm({"train", "--data", data}, dir.path().string()), 2,
                        {"no model file: give FILE, or model = \"...\" in gpufm.toml; the default, models/cnn.dsl, is not in"});
  expect_one_line_error(run_gpufm({"train", model, "--data", data, "--device", "tpu"}), 2, {"--device", "tpu"});
  expect_one_line_error(run_gpufm({"train", model, "--data", data, "--device", "cuda:x"}), 2,
                        {"--device: 'cuda:x': expected auto, cpu, cuda or cuda:N (N a GPU's number, from 0)"});
  const std::string wide = dir.write("wide.dsl", "input 28x28x1\nflatten\ndense 4 softmax\n").string();
  expect_one_line_error(run_gpufm({"train", wide, "--data", data, "--out", out("w")}), 2,
                        {"8x8 pixels do not fit the model's input 28x28x1"});
  const std::string three = dir.write("three.dsl", "input 8x8x1\nflatten\ndense 3 softmax\n").string();
  expect_one_line_error(run_gpufm({"train", three, "--data", data, "--out", out("t")}), 2, {"label", "3"});
  expect_one_line_error(run_gpufm({"train", model, "--data", data, "--set", "batch=230", "--out", out("b")}), 2,
                        {"batch 230 is larger than the 204 training images"});
  ASSERT_EQ(run_gpufm({"train", model, "--data", data, "--out", out("run"), "--epochs", "1"}).exit_code, 0);
  expect_one_line_error(run_gpufm({"train", model, "--data", data, "--out", out("run")}), 2, {"already holds files"});
  expect_one_line_error(run_gpufm({"eval", out("nothing")}), 2, {"no such run directory or checkpoint"});
  expect_one_line_error(run_gpufm({"train", "--resume", dir.path().string()}), 2, {"not a run directory (no model.dsl)"});
}

}  // namespace
}  // namespace gpufm::test
