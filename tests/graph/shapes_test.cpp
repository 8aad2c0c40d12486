// Shape rules, settings binding and compile-time checks, each with the error a user sees.
#include <gtest/gtest.h>

#include <array>

#include "gpufm/graph.hpp"
#include "support/expect_error.hpp"

namespace gpufm {
namespace {

using test::error_of;

Graph compile_text(const std::string& body, const std::string& train = "train:\n  loss mse\n") {
  return compile(dsl::parse(body + "\n" + train, "m.dsl"));
}

std::string compile_error(const std::string& body, const std::string& train = "train:\n  loss mse\n") {
  return error_of<SourceError>([&] { compile_text(body, train); });
}

// A layer's output for an input, straight from its op's shape rule.
Shape output_of(const std::string& layer, const std::string& input = "28x28x1") {
  const dsl::Model model = dsl::parse("input " + input + "\n" + layer, "m.dsl");
  const dsl::Statement& statement = model.layers.at(1);
  const OpDef* op = find_op(statement.keyword);
  const Shape in{bind_args(model.layers[0], std::array{ArgSpec{.name = "shape", .kind = ArgKind::dims}}, {}).dims("shape")};
  return op->output_shape(bind_args(statement, op->signature, {}), in);
}

TEST(Shapes, Conv2dValidSameAndStride) {
  EXPECT_EQ(output_of("conv2d 32 3x3").str(), "26x26x32");
  EXPECT_EQ(output_of("conv2d 32 3").str(), "26x26x32");
  EXPECT_EQ(output_of("conv2d 8 3x3 same").str(), "28x28x8");
  EXPECT_EQ(output_of("conv2d 8 3x3 stride=2").str(), "13x13x8");
  EXPECT_EQ(output_of("conv2d 8 3x3 same stride=2").str(), "14x14x8");
  EXPECT_EQ(output_of("conv2d 8 5x3 stride=3x1").str(), "8x26x8");
  EXPECT_EQ(output_of("conv2d filters=4 kernel=7 padding=valid").str(), "22x22x4");
}

TEST(Shapes, Conv2dTransposeFollowsKeras) {
  EXPECT_EQ(output_of("conv2d_transpose 16 3x3", "7x7x4").str(), "9x9x16");
  EXPECT_EQ(output_of("conv2d_transpose 16 3x3 same stride=2", "7x7x4").str(), "14x14x16");
  EXPECT_EQ(output_of("conv2d_transpose 16 2x2 stride=2", "7x7x4").str(), "14x14x16");
  EXPECT_EQ(output_of("conv2d_transpose 16 2x2 stride=3", "7x7x4").str(), "21x21x16");  // in * s + max(k - s, 0)
}

TEST(Shapes, PoolingFloorsOddSizes) {
  EXPECT_EQ(output_of("maxpool 2", "11x11x64").str(), "5x5x64");
  EXPECT_EQ(output_of("maxpool", "11x11x64").str(), "5x5x64");
  EXPECT_EQ(output_of("avgpool 3 stride=1", "5x5x2").str(), "3x3x2");
  EXPECT_EQ(output_of("maxpool 2 same", "11x11x64").str(), "6x6x64");
}

TEST(Shapes, UpsampleFlattenReshapeDenseAndElementwise) {
  EXPECT_EQ(output_of("upsample 2", "7x7x3").str(), "14x14x3");
  EXPECT_EQ(output_of("upsample 2x3", "7x7x3").str(), "14x21x3");
  EXPECT_EQ(output_of("flatten", "5x5x64").str(), "1600");
  EXPECT_EQ(output_of("reshape 7x7x16", "784").str(), "7x7x16");
  EXPECT_EQ(output_of("dense 10", "784").str(), "10");
  for (const char* layer : {"batchnorm", "dropout 0.5", "relu", "sigmoid", "tanh", "softmax", "leaky_relu 0.1"}) {
    EXPECT_EQ(output_of(layer, "5x5x2").str(), "5x5x2") << layer;
  }
}

TEST(Shapes, ParameterCountsFollowKeras) {
  const Graph graph = compile_text("input 28x28x1\nconv2d 32 3x3\nbatchnorm\nconv2d_transpose 4 3x3\nflatten\ndense 10 softmax",
                                   "train:\n  loss crossentropy\n");
  EXPECT_EQ(graph.layers[0].param_count(), 3 * 3 * 1 * 32 + 32);
  EXPECT_EQ(graph.layers[1].param_count(), 4 * 32);
  EXPECT_EQ(graph.layers[1].trainable_param_count(), 2 * 32);
  EXPECT_EQ(graph.layers[2].param_count(), 3 * 3 * 32 * 4 + 4);
  EXPECT_EQ(graph.layers[4].param_count(), 28 * 28 * 4 * 10 + 10);
  EXPECT_EQ(graph.non_trainable_param_count(), 2 * 32);
  const ParamSpec& weight = graph.layers[0].params[0];
  EXPECT_EQ(weight.shape, (std::vector<std::int64_t>{32, 3, 3, 1}));
  EXPECT_EQ(weight.init, Init::glorot_uniform);
  EXPECT_EQ(weight.fan_in, 9);
  EXPECT_EQ(weight.fan_out, 9 * 32);
  // A transposed convolution's weight is the filter of the conv2d it transposes (Keras'
  // (kh, kw, filters, in_c) kernel, whose fan-in counts the filters).
  const ParamSpec& transposed = graph.layers[2].params[0];
  EXPECT_EQ(transposed.shape, (std::vector<std::int64_t>{32, 3, 3, 4}));
  EXPECT_EQ(transposed.fan_in, 9 * 4);
  EXPECT_EQ(transposed.fan_out, 9 * 32);
  EXPECT_EQ(graph.layers[2].params[1].shape, (std::vector<std::int64_t>{4}));
  const Graph he = compile_text("input 784\ndense 10 softmax init=he_normal", "train:\n  loss crossentropy\n");
  EXPECT_EQ(he.layers[0].params[0].init, Init::he_normal);
  EXPECT_EQ(he.layers[0].params[1].init, Init::zeros);
}

TEST(Shapes, LayerNamesAreNumberedPerBlockOrGiven) {
  const Graph graph = compile_text(
      "input 784\ndense 8\ndense 8 name=hidden\ndense 8\nblock head:\n  dense 8\n  dense 784 name=out");
  std::vector<std::string> names;
  for (const Layer& layer : graph.layers) names.push_back(layer.name);
  EXPECT_EQ(names, (std::vector<std::string>{"dense", "hidden", "dense_1", "head.dense", "head.out"}));
  const Graph skipping = compile_text("input 784\ndense 8 name=dense_1\ndense 8\ndense 784", "train:\n  loss mse\n");
  EXPECT_EQ(skipping.layers[1].name, "dense");
  EXPECT_EQ(skipping.layers[2].name, "dense_2");  // dense_1 is taken
  EXPECT_EQ(graph.layers[3].block, "head");
}

TEST(LayerErrors, NameTheLayerAndWhatDoesNotFit) {
  EXPECT_EQ(compile_error("input 5x5x64\nconv2d 8 7x7"),
            "m.dsl:2:1: layer 'conv2d' (conv2d): input 5x5x64 is smaller than the 7x7 window with padding 'valid'; use padding 'same' or a smaller window");
  EXPECT_EQ(compile_error("input 28x28x1\ndense 10"),
            "m.dsl:2:1: layer 'dense' (dense): dense expects a flat input, got 28x28x1; add 'flatten' before it");
  EXPECT_EQ(compile_error("input 784\nconv2d 8 3"),
            "m.dsl:2:1: layer 'conv2d' (conv2d): conv2d expects an image (HxWxC), got 784; reshape it first (as: reshape 28x28x1)");
  EXPECT_EQ(compile_error("input 784\nreshape 7x7x15"),
            "m.dsl:2:1: layer 'reshape' (reshape): reshape to 7x7x15 holds 735 values, but its input 784 has 784");
  EXPECT_EQ(compile_error("input 28x28x1\nmaxpool 2\nmaxpool 2\nmaxpool 2\nmaxpool 2\nmaxpool 2"),
            "m.dsl:6:1: layer 'maxpool_4' (maxpool): input 1x1x1 is smaller than the 2x2 window with padding 'valid'; use padding 'same' or a smaller window");
  EXPECT_EQ(compile_error("input 100000x100000x1\nconv2d 10000 3 same"),
            "m.dsl:2:1: layer 'conv2d' output is too large or empty (100000x100000x10000)");
}

TEST(SettingErrors, PointAtTheValueAndSayWhatWasExpected) {
  EXPECT_EQ(compile_error("input 784\ndense relu"),
            "m.dsl:2:1: dense needs units (an integer; usage: dense UNITS [linear|relu|sigmoid|tanh|softmax|leaky_relu] [alpha=V] [init=glorot_uniform|glorot_normal|he_uniform|he_normal|lecun_normal])");
  EXPECT_EQ(compile_error("input 784\ndense 10 rleu"),
            "m.dsl:2:10: dense: unexpected 'rleu'; did you mean 'relu'? (usage: dense UNITS [linear|relu|sigmoid|tanh|softmax|leaky_relu] [alpha=V] [init=glorot_uniform|glorot_normal|he_uniform|he_normal|lecun_normal])");
  EXPECT_EQ(compile_error("input 28x28x1\nconv2d 8 3 strides=2"),
            "m.dsl:2:12: conv2d has no setting 'strides'; did you mean 'stride'? (usage: conv2d FILTERS KERNEL [valid|same] "
            "[linear|relu|sigmoid|tanh|softmax|leaky_relu] [stride=V] [alpha=V] [init=glorot_uniform|glorot_normal|he_uniform|he_normal|lecun_normal])");
  EXPECT_EQ(compile_error("let activation = rleu\ninput 784\ndense 10 $activation"),
            "m.dsl:1:18: dense: unexpected 'rleu'; did you mean 'relu'? (usage: dense UNITS [linear|relu|sigmoid|tanh|softmax|leaky_relu] "
            "[alpha=V] [init=glorot_uniform|glorot_normal|he_uniform|he_normal|lecun_normal])")
      << "a value from a variable is blamed on its let";
  EXPECT_EQ(compile_error("let padding = vald\ninput 28x28x1\nconv2d 8 3 padding=$padding"),
            "m.dsl:1:15: conv2d: padding expects valid|same, got 'vald'; did you mean 'valid'?");
  EXPECT_EQ(compile_error("input 28x28x1\nconv2d 8 3 padding=vald"),
            "m.dsl:2:12: conv2d: padding expects valid|same, got 'vald'; did you mean 'valid'?");
  EXPECT_EQ(compile_error("input 784\ndropout 1.5"), "m.dsl:2:9: dropout: rate must be in [0, 1), got 1.5");
  EXPECT_EQ(compile_error("input 784\ndense 0"), "m.dsl:2:7: dense: units must be in [1, 1048576], got 0");
  EXPECT_EQ(compile_error("input 784\ndense 8 units=9"), "m.dsl:2:7: dense: units is given twice");
  EXPECT_EQ(compile_error("input 784\ndense 99999999999999999999"), "m.dsl:2:7: dense: 99999999999999999999 is too large");
  EXPECT_EQ(compile_error("input 784\ndense 8 name=3"), "m.dsl:2:9: a layer name is a word without '.', as in name=conv1");
  EXPECT_EQ(compile_error("input 784\ndense 8 name=a.b"), "m.dsl:2:9: a layer name is a word without '.', as in name=conv1");
  EXPECT_EQ(compile_error("input 784\ndense 8 relu alpha=0.1"),
            "m.dsl:2:1: layer 'dense' (dense): alpha= is the slope of leaky_relu, but the activation is relu");
  EXPECT_EQ(compile_error("input 784\ndense +0"), "m.dsl:2:7: dense: units must be in [1, 1048576], got +0");
  EXPECT_EQ(compile_error("input 784\ndense 8 name=a\ndense 8 name=a"), "m.dsl:3:1: layer name 'a' is already used at m.dsl:2:1");
}

// Found by tests/fuzz (model_fuzz): sizes this large overflowed the shape rules' 64-bit
// arithmetic (undefined behaviour) before the compiler checked the tensors' sizes.
TEST(SettingErrors, SizesAboveTheLimitNameTheValue) {
  const std::string huge = "9223372036854775807";
  EXPECT_EQ(compile_error("input 2x2x1\nupsample " + huge),
            "m.dsl:2:10: upsample: size must be in [1, 1048576], got " + huge);
  EXPECT_EQ(compile_error("input 2x2x1\nconv2d_transpose 1 1 stride=" + huge),
            "m.dsl:2:29: conv2d_transpose: stride must be in [1, 1048576], got " + huge);
  EXPECT_EQ(compile_error("input 2x2x1\nconv2d 1 1 same stride=" + huge),
            "m.dsl:2:24: conv2d: stride must be in [1, 1048576], got " + huge);
  EXPECT_EQ(compile_error("input 2x2x1\nconv2d 1 3037000500x3037000500 same"),
            "m.dsl:2:10: conv2d: kernel must be in [1, 1048576], got 3037000500x3037000500");
  EXPECT_EQ(compile_error("input 2x2x1\nconv2d 1048577 1"), "m.dsl:2:8: conv2d: filters must be in [1, 1048576], got 1048577");
  EXPECT_EQ(compile_error("input 2x2x1\nmaxpool 2 stride=1x" + huge),
            "m.dsl:2:18: maxpool: stride must be in [1, 1048576], got 1x" + huge);
  EXPECT_EQ(compile_error("input 4\nreshape 4294967296x4294967296x4"),
            "m.dsl:2:9: reshape: shape must be in [1, 1048576], got 4294967296x4294967296x4");
  EXPECT_EQ(compile_error("input 4\ndense 1048577"), "m.dsl:2:7: dense: units must be in [1, 1048576], got 1048577");
  // At the limit the tensors' own bound still applies.
  EXPECT_EQ(compile_error("input 1048576x1x1\nupsample 1x1048576"),
            "m.dsl:2:1: layer 'upsample' output is too large or empty (1048576x1048576x1)");
}

TEST(ModelErrors, StructureAndUnknownLayers) {
  EXPECT_EQ(compile_error(""), "m.dsl:1:1: the model has no layers; it starts with 'input HxWxC' (as: input 28x28x1)");
  EXPECT_EQ(compile_error("dense 10"), "m.dsl:1:1: the first layer must be 'input' (as: input 28x28x1), found 'dense'");
  EXPECT_EQ(compile_error("input 784"), "m.dsl:1:1: the model has an input but no layers after it");
  EXPECT_EQ(compile_error("input 28x28"), "m.dsl:1:1: input takes HxWxC (as: input 28x28x1) or a length (as: input 784), got 28x28");
  EXPECT_EQ(compile_error("input 784\ninput 784"), "m.dsl:2:1: 'input' comes once, as the first layer");
  EXPECT_EQ(compile_error("input 28x28x1\nconv 8 3"),
            "m.dsl:2:1: unknown layer 'conv' (layers: dense, conv2d, conv2d_transpose, maxpool, avgpool, upsample, batchnorm, "
            "dropout, flatten, reshape, relu, sigmoid, tanh, softmax, leaky_relu)");
  EXPECT_EQ(compile_error("input 28x28x1\nmaxpol 2"),
            "m.dsl:2:1: unknown layer 'maxpol'; did you mean 'maxpool'? (layers: dense, conv2d, conv2d_transpose, maxpool, "
            "avgpool, upsample, batchnorm, dropout, flatten, reshape, relu, sigmoid, tanh, softmax, leaky_relu)");
  EXPECT_EQ(compile_error("input 784\nepochs 3"),
            "m.dsl:2:1: 'epochs' is a training setting, not a layer: put it under 'train:', indented");
}

TEST(Variables, ResolveAndReportUndefinedOnes) {
  EXPECT_EQ(compile_text("let units = 12\nlet act = tanh\ninput 784\ndense $units $act", "train:\n  loss mse\n  target labels\n").output().str(), "12");
  EXPECT_EQ(compile_error("let units = 12\ninput 784\ndense $unit"),
            "m.dsl:3:7: undefined variable $unit; did you mean 'units'? (define it with: let unit = VALUE)");
  EXPECT_EQ(compile_error("let units = relu\ninput 784\ndense $units"),
            "m.dsl:3:1: dense needs units (an integer; usage: dense UNITS [linear|relu|sigmoid|tanh|softmax|leaky_relu] [alpha=V] [init=glorot_uniform|glorot_normal|he_uniform|he_normal|lecun_normal])");
}

TEST(LossChecks, TheLossMustSuitTheOutput) {
  const std::string classifier = "input 784\ndense 10 ";
  EXPECT_EQ(compile_error(classifier + "relu", "train:\n  loss crossentropy\n"),
            "m.dsl:2:1: crossentropy needs a softmax output, but layer 'dense' ends with relu (as: dense 10 softmax)");
  EXPECT_EQ(compile_error(classifier + "softmax", "train:\n  loss bce\n  target labels\n"),
            "m.dsl:2:1: bce needs outputs in (0, 1), but layer 'dense' ends with softmax (use a sigmoid activation)");
  EXPECT_EQ(compile_error("input 784\ndense 784 sigmoid\nreshape 28x28x1", "train:\n  loss mse\n  target labels\n"),
            "m.dsl:3:1: a classifier's last layer gives one score per class (as: dense 10 softmax), but layer 'reshape' gives 28x28x1");
  EXPECT_EQ(compile_error("input 28x28x1\nflatten\ndense 10 sigmoid", "train:\n  loss bce\n"),
            "m.dsl:5:3: the target is the input (28x28x1, for bce), but the model outputs 10");
  EXPECT_EQ(compile_error("input 784\ndense 784 softmax", "train:\n  loss crossentropy\n  target input\n"),
            "m.dsl:4:3: crossentropy compares class scores with labels; a model whose target is its input uses mse or bce");
  EXPECT_NO_THROW(compile_text(classifier + "softmax", "train:\n  loss crossentropy\n"));
  EXPECT_NO_THROW(compile_text(classifier + "softmax", "train:\n  loss mse\n  target labels\n"));  // against one-hot labels
  EXPECT_NO_THROW(compile_text("input 784\nsoftmax", ""));  // defaults: crossentropy on labels
}

}  // namespace
}  // namespace gpufm
