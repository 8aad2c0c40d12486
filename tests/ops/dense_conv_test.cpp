// The CPU kernels of dense, conv2d and conv2d_transpose: forward values against direct loops
// written from the definitions, bit-identical reruns, gradients written rather than added, and
// the activation's derivative skipped when the loss folded it in.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "cpu/im2col.hpp"
#include "gpufm/activation.hpp"
#include "gpufm/graph.hpp"
#include "support/bound_layer.hpp"
#include "support/tensors.hpp"

namespace gpufm::test {

namespace {

// TensorFlow's padding before the first element: the smaller half of what "same" needs.
std::int64_t padding_before(std::int64_t in, std::int64_t kernel, std::int64_t stride, std::int64_t out, bool same) {
  return same ? std::max<std::int64_t>((out - 1) * stride + kernel - in, 0) / 2 : 0;
}

float activated(const Layer& layer, double x) {
  return activate(activation_of(layer.attrs.choice("activation")), static_cast<float>(x), static_cast<float>(layer.attrs.real("alpha")));
}

// output(n, oy, ox, f) = b[f] + sum over ky, kx, c of input(n, oy*s + ky - pad, ox*s + kx - pad, c)
// * w(f, ky, kx, c), with zeros outside the image.
std::vector<float> direct_conv2d(BoundLayer& bound) {
  const Layer& layer = bound.layer();
  const Size2 k = layer.attrs.size2("kernel"), s = layer.attrs.size2("stride");
  const bool same = layer.attrs.choice("padding") == "same";
  const std::int64_t in_h = layer.input.height(), in_w = layer.input.width(), in_c = layer.input.channels();
  const std::int64_t out_h = layer.output.height(), out_w = layer.output.width(), filters = layer.output.channels();
  const std::int64_t top = padding_before(in_h, k.h, s.h, out_h, same), left = padding_before(in_w, k.w, s.w, out_w, same);
  const std::vector<float>& x = bound.x();
  const std::vector<float>& w = bound.params()[0];
  const std::vector<float>& b = bound.params()[1];
  std::vector<float> y;
  for (std::int64_t n = 0; n < bound.batch(); ++n) {
    for (std::int64_t oy = 0; oy < out_h; ++oy) {
      for (std::int64_t ox = 0; ox < out_w; ++ox) {
        for (std::int64_t f = 0; f < filters; ++f) {
          double sum = b[f];
          for (std::int64_t ky = 0; ky < k.h; ++ky) {
            for (std::int64_t kx = 0; kx < k.w; ++kx) {
              const std::int64_t iy = oy * s.h + ky - top, ix = ox * s.w + kx - left;
              if (iy < 0 || iy >= in_h || ix < 0 || ix >= in_w) continue;
              for (std::int64_t c = 0; c < in_c; ++c) {
                sum += static_cast<double>(x[((n * in_h + iy) * in_w + ix) * in_c + c]) * w[((f * k.h + ky) * k.w + kx) * in_c + c];
              }
            }
          }
          y.push_back(activated(layer, sum));
        }
      }
    }
  }
  return y;
}

// Each input pixel scatters itself times the kernel, at stride s, onto an uncropped canvas;
// the output is the canvas cropped by the padding of the conv2d this one transposes.
std::vector<float> direct_conv2d_transpose(BoundLayer& bound) {
  const Layer& layer = bound.layer();
  const Size2 k = layer.attrs.size2("kernel"), s = layer.attrs.size2("stride");
  const bool same = layer.attrs.choice("padding") == "same";
  const std::int64_t in_h = layer.input.height(), in_w = layer.input.width(), in_c = layer.input.channels();
  const std::int64_t out_h = layer.output.height(), out_w = layer.output.width(), filters = layer.output.channels();
  const std::int64_t top = padding_before(out_h, k.h, s.h, in_h, same), left = padding_before(out_w, k.w, s.w, in_w, same);
  const std::int64_t canvas_h = std::max((in_h - 1) * s.h + k.h, out_h + top), canvas_w = std::max((in_w - 1) * s.w + k.w, out_w + left);
  const std::vector<float>& x = bound.x();
  const std::vector<float>& w = bound.params()[0];
  const std::vector<float>& b = bound.params()[1];
  std::vector<float> y;
  for (std::int64_t n = 0; n < bound.batch(); ++n) {
    std::vector<double> canvas(static_cast<std::size_t>(canvas_h * canvas_w * filters));
    for (std::int64_t iy = 0; iy < in_h; ++iy) {
      for (std::int64_t ix = 0; ix < in_w; ++ix) {
        for (std::int64_t c = 0; c < in_c; ++c) {
          const double pixel = x[((n * in_h + iy) * in_w + ix) * in_c + c];
          for (std::int64_t ky = 0; ky < k.h; ++ky) {
            for (std::int64_t kx = 0; kx < k.w; ++kx) {
              for (std::int64_t f = 0; f < filters; ++f) {
                canvas[((iy * s.h + ky) * canvas_w + ix * s.w + kx) * filters + f] += pixel * w[((c * k.h + ky) * k.w + kx) * filters + f];
              }
            }
          }
        }
      }
    }
    for (std::int64_t oy = 0; oy < out_h; ++oy) {
      for (std::int64_t ox = 0; ox < out_w; ++ox) {
        for (std::int64_t f = 0; f < filters; ++f) y.push_back(activated(layer, canvas[((oy + top) * canvas_w + ox + left) * filters + f] + b[f]));
      }
    }
  }
  return y;
}

std::vector<float> direct_dense(BoundLayer& bound) {
  const Layer& layer = bound.layer();
  const std::int64_t in = layer.input.elements(), units = layer.output.elements();
  const std::vector<float>& x = bound.x();
  const std::vector<float>& w = bound.params()[0];
  const std::vector<float>& b = bound.params()[1];
  std::vector<float> y;
  for (std::int64_t n = 0; n < bound.batch(); ++n) {
    for (std::int64_t u = 0; u < units; ++u) {
      double sum = b[u];
      for (std::int64_t i = 0; i < in; ++i) sum += static_cast<double>(x[n * in + i]) * w[u * in + i];
      y.push_back(activated(layer, sum));
    }
  }
  return y;
}

void expect_close(const std::vector<float>& actual, const std::vector<float>& expected, double tolerance = 1e-5) {
  ASSERT_EQ(actual.size(), expected.size());
  for (std::size_t i = 0; i < actual.size(); ++i) {
    ASSERT_NEAR(actual[i], expected[i], tolerance * std::max(1.0f, std::fabs(expected[i]))) << "at " << i;
  }
}

struct ForwardCase {
  std::string statement;
  Shape input;
};

TEST(DenseConv, Conv2dMatchesDirectLoops) {
  const ForwardCase cases[] = {
      {"conv2d 3 3x3", Shape{{5, 6, 2}}},
      {"conv2d 2 4x3 same relu", Shape{{6, 5, 3}}},         // padding rows 1 before, 2 after
      {"conv2d 2 3x3 same stride=2", Shape{{6, 6, 2}}},     // padding 0 before, 1 after
      {"conv2d 4 3x2 stride=2 tanh", Shape{{7, 5, 3}}},
      {"conv2d 3 1x1", Shape{{3, 4, 5}}},
  };
  for (const ForwardCase& c : cases) {
    SCOPED_TRACE(c.statement);
    BoundLayer bound(c.statement, c.input, 2);
    expect_close(bound.forward(), direct_conv2d(bound));
  }
}

// TensorFlow puts the odd zero of "same" padding after the image: with a 2x2 kernel of ones
// over 1..9 (3x3), the first output is 1 + 2 + 4 + 5.
TEST(DenseConv, SamePaddingPutsTheOddZeroAfter) {
  BoundLayer bound("conv2d 1 2x2 same", Shape{{3, 3, 1}}, 1);
  std::vector<float> image(9);
  for (std::size_t i = 0; i < image.size(); ++i) image[i] = static_cast<float>(i + 1);
  bound.params()[0].assign(4, 1.0f);
  bound.params()[1].assign(1, 0.0f);
  bound.x() = image;
  const std::vector<float> y = bound.forward();
  EXPECT_EQ(y, (std::vector<float>{12, 16, 9, 24, 28, 15, 15, 17, 9}));
}

TEST(DenseConv, Conv2dTransposeMatchesScatteredKernels) {
  const ForwardCase cases[] = {
      {"conv2d_transpose 2 3x3", Shape{{3, 4, 2}}},
      {"conv2d_transpose 3 3x3 same stride=2", Shape{{3, 3, 2}}},      // crop 0 before, 1 after
      {"conv2d_transpose 2 4x4 same stride=2 relu", Shape{{3, 2, 2}}},  // crop 1 before, 1 after
      {"conv2d_transpose 2 5x3 same stride=2", Shape{{2, 3, 2}}},       // crop rows 1 before, 2 after
      {"conv2d_transpose 2 2x2 stride=3 sigmoid", Shape{{2, 3, 2}}},    // gaps between kernels
      {"conv2d_transpose 2 3x2 same stride=3", Shape{{2, 2, 3}}},
  };
  for (const ForwardCase& c : cases) {
    SCOPED_TRACE(c.statement);
    BoundLayer bound(c.statement, c.input, 2);
    expect_close(bound.forward(), direct_conv2d_transpose(bound));
  }
}

TEST(DenseConv, DenseMatchesDirectLoops) {
  for (const std::string statement : {"dense 5", "dense 4 leaky_relu alpha=0.1", "dense 3 sigmoid"}) {
    SCOPED_TRACE(statement);
    BoundLayer bound(statement, Shape{{7}}, 3);
    expect_close(bound.forward(), direct_dense(bound));
  }
}

// Big enough that OpenMP and OpenBLAS split the work over threads.
const ForwardCase large_cases[] = {
    {"dense 64 tanh", Shape{{300}}},
    {"conv2d 16 3x3 same stride=2 relu", Shape{{24, 20, 8}}},
    {"conv2d_transpose 8 3x3 same stride=2 sigmoid", Shape{{12, 10, 16}}},
};

TEST(DenseConv, RerunsAreBitIdentical) {
  for (const ForwardCase& c : large_cases) {
    SCOPED_TRACE(c.statement);
    BoundLayer first(c.statement, c.input, 16), second(c.statement, c.input, 16);
    const std::vector<float> y = first.forward();
    EXPECT_TRUE(identical(y, second.forward()));
    const std::vector<float> dy = uniform_values(y.size(), -1.0, 1.0, 1, 3);
    EXPECT_TRUE(identical(first.backward(y, dy), second.backward(y, dy)));
  }
}

TEST(DenseConv, BackwardWritesGradientsRatherThanAddingToThem) {
  for (const ForwardCase& c : large_cases) {
    SCOPED_TRACE(c.statement);
    BoundLayer bound(c.statement, c.input, 4);
    const std::vector<float> y = bound.forward();
    const std::vector<float> dy = uniform_values(y.size(), -1.0, 1.0, 1, 3);
    EXPECT_TRUE(identical(bound.backward(y, dy), bound.backward(y, dy, false, 1234.5f)));
  }
}

// Wide patches make the convolutions lower a batch a few images at a time (cpu/im2col.hpp): each
// image's output and input gradient are then what it gets alone, and the filter's gradient
// sums the images'. Groups of one image, and of three with a shorter last one.
TEST(DenseConv, ABatchInGroupsOfImagesGivesWhatEachImageGetsAlone) {
  struct GroupCase {
    ForwardCase layer;
    std::int64_t batch, images_per_group;
  };
  const GroupCase wide_patches[] = {
      {{"conv2d 2 3x3 same relu", Shape{{32, 32, 256}}}, 3, 1},  // 9.4 MB of columns an image
      {{"conv2d_transpose 256 3x3 same", Shape{{32, 32, 2}}}, 3, 1},
      {{"conv2d 2 3x3 same", Shape{{16, 16, 128}}}, 7, 3},  // 1.2 MB an image: groups of 3, 3 and 1
  };
  for (const auto& [c, batch, images_per_group] : wide_patches) {
    SCOPED_TRACE(c.statement);
    BoundLayer whole(c.statement, c.input, batch);
    const Layer& layer = whole.layer();
    const bool transposed = layer.op->keyword == "conv2d_transpose";
    const ConvGeometry geometry = transposed ? conv_geometry(layer.attrs, layer.output, layer.input.channels())
                                             : conv_geometry(layer.attrs, layer.input, layer.output.channels());
    ASSERT_EQ(cpu::images_per_group(geometry, batch), images_per_group);
    const std::vector<float> y = whole.forward();
    const std::vector<float> dy = uniform_values(y.size(), -1.0, 1.0, 1, 3);
    const Gradients gradients = whole.backward(y, dy);
    const auto in = static_cast<std::ptrdiff_t>(layer.input.elements()), out = static_cast<std::ptrdiff_t>(layer.output.elements());
    // Every value compared is a sum of a thousand products or more of values in [-1, 1], which
    // OpenBLAS may add in another order for another number of rows; such sums can cancel down to
    // far less than their terms, so the tolerance is the terms' size.
    constexpr double sums_tolerance = 1e-4;
    std::vector<std::vector<float>> summed_param_gradients;
    for (const std::vector<float>& param : whole.params()) summed_param_gradients.emplace_back(param.size(), 0.0f);
    for (std::ptrdiff_t n = 0; n < batch; ++n) {
      BoundLayer alone(c.statement, c.input, 1);
      alone.params() = whole.params();
      alone.x().assign(whole.x().begin() + n * in, whole.x().begin() + (n + 1) * in);
      const std::vector<float> y_alone = alone.forward();
      expect_close(std::vector<float>(y.begin() + n * out, y.begin() + (n + 1) * out), y_alone, sums_tolerance);
      const Gradients alone_gradients = alone.backward(y_alone, std::vector<float>(dy.begin() + n * out, dy.begin() + (n + 1) * out));
      expect_close(std::vector<float>(gradients.input.begin() + n * in, gradients.input.begin() + (n + 1) * in), alone_gradients.input, sums_tolerance);
      for (std::size_t p = 0; p < summed_param_gradients.size(); ++p) {
        for (std::size_t i = 0; i < summed_param_gradients[p].size(); ++i) summed_param_gradients[p][i] += alone_gradients.params[p][i];
      }
    }
    for (std::size_t p = 0; p < summed_param_gradients.size(); ++p) {
      expect_close(gradients.params[p], summed_param_gradients[p], sums_tolerance);
    }
  }
}

// With the activation folded into the loss, the gradients are those of the same layer without
// its activation.
TEST(DenseConv, FoldedActivationIsNotAppliedAgain) {
  const std::pair<std::string, std::string> with_and_without[] = {
      {"dense 5 softmax", "dense 5"},
      {"conv2d 3 3x3 same sigmoid", "conv2d 3 3x3 same"},
      {"conv2d_transpose 2 3x3 same stride=2 sigmoid", "conv2d_transpose 2 3x3 same stride=2"},
  };
  for (const auto& [activated_statement, linear_statement] : with_and_without) {
    SCOPED_TRACE(activated_statement);
    const Shape input = activated_statement.starts_with("dense") ? Shape{{6}} : Shape{{4, 5, 2}};
    BoundLayer activated_layer(activated_statement, input, 2), linear_layer(linear_statement, input, 2);
    const std::vector<float> y = activated_layer.forward();
    const std::vector<float> dy = uniform_values(y.size(), -1.0, 1.0, 1, 3);
    EXPECT_TRUE(identical(activated_layer.backward(y, dy, true), linear_layer.backward(linear_layer.forward(), dy)));
    EXPECT_FALSE(identical(activated_layer.backward(y, dy, false), linear_layer.backward(linear_layer.forward(), dy)));
  }
}

}  // namespace
}  // namespace gpufm::test
