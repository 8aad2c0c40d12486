#include "gpufm/summary.hpp"

#include <gtest/gtest.h>

#include "support/expect_error.hpp"

namespace gpufm {
namespace {

TEST(Summary, KerasStyleTableAndTotals) {
  const Graph graph = compile_file(std::string(GPUFM_SOURCE_DIR) + "/models/cnn.dsl");
  const std::string text = format_summary(graph, plan_memory(graph));
  test::expect_contains(text, {
                                  "Model: \"cnn\"\n",
                                  "Input: (None, 28, 28, 1)\n",
                                  " Layer (type)                Output Shape              Param #\n",
                                  " conv2d (Conv2D)             (None, 26, 26, 32)        320\n",
                                  " maxpool_1 (MaxPooling2D)    (None, 5, 5, 64)          0\n",
                                  " dense (Dense)               (None, 128)               204,928\n",
                                  "Total params: 225,034 (879.04 KB)\n",
                                  "Trainable params: 225,034 (879.04 KB)\n",
                                  "Non-trainable params: 0 (0.00 B)\n",
                                  "activations / sample  training ",
                                  "Training: crossentropy on labels, adam lr=0.001, batch 128, 10 epochs, validation 0.1\n",
                              });
}

TEST(Summary, WidensColumnsForLongNames) {
  const Graph graph = compile_file(std::string(GPUFM_SOURCE_DIR) + "/models/autoencoder.dsl");
  const std::string text = format_summary(graph, plan_memory(graph));
  test::expect_contains(text, {" encoder.batchnorm_1 (BatchNormalization) (None, 14, 14, 256)       1,024\n",
                               "Non-trainable params: 1,536 (6.00 KB)\n"});
}

// Found by tests/fuzz (model_fuzz): the activations at the batch were multiplied out in 64-bit
// integers, which a batch this large overflows (undefined behaviour).
TEST(Summary, ActivationsAtAnyBatchTheFileGives) {
  const Graph graph = compile(dsl::parse("input 4\ndense 10 softmax\ntrain:\n  batch 9223372036854775807\n", "m.dsl"));
  const std::string text = format_summary(graph, plan_memory(graph));
  test::expect_contains(text, {"activations / sample  training 192.00 B (192.00 B without reuse), inference 128.00 B\n",
                               "activations at batch 9223372036854775807  training 1610612736.00 TB, inference 1073741824.00 TB\n"});
}

}  // namespace
}  // namespace gpufm
