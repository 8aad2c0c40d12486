// Gradient-check cases for every op but the BLAS ones: small shapes that still reach each
// code path (overlapping, clipped and padded windows, channels past maxpool's slice, both
// batch-norm modes, dropout on and off).
#include "ops/op_cases.hpp"

namespace gpufm::test {

std::vector<OpCase> elementwise_op_cases() {
  const GradcheckOptions away_from_kinks{.input_gap = 0.05};  // relu's kink at 0 stays out of the step's reach
  return {
      {"maxpool 2", Shape{{4, 4, 3}}},
      {"maxpool 3 stride=1", Shape{{5, 5, 2}}},
      {"maxpool 3 same stride=2", Shape{{5, 4, 2}}},
      {"maxpool 2", Shape{{5, 4, 70}}},       // the last row in no window; channels past one slice
      {"maxpool 2 same", Shape{{3, 5, 70}}},  // windows clipped at the image's end
      {"avgpool 2", Shape{{4, 6, 2}}},
      {"avgpool 3 same", Shape{{5, 5, 2}}},
      {"avgpool 3 same stride=1", Shape{{4, 4, 2}}},
      {"upsample 2", Shape{{3, 3, 2}}},
      {"upsample 2x3", Shape{{2, 3, 2}}},
      {"batchnorm", Shape{{3, 3, 4}}, GradcheckOptions{.batch = 3}},
      {"batchnorm", Shape{{6}}, GradcheckOptions{.batch = 4}},
      {"batchnorm momentum=0.9 epsilon=0.01", Shape{{3, 3, 4}}, GradcheckOptions{.batch = 3, .training = false}},
      {"batchnorm", Shape{{6}}, GradcheckOptions{.batch = 4, .training = false}},
      {"dropout 0", Shape{{4, 4, 2}}},
      {"dropout 0.5", Shape{{4, 4, 2}}},
      {"dropout 0.5", Shape{{10}}, GradcheckOptions{.training = false}},
      {"flatten", Shape{{3, 3, 2}}},
      {"reshape 2x3x2", Shape{{12}}},
      {"relu", Shape{{3, 3, 2}}, away_from_kinks},
      {"leaky_relu", Shape{{10}}, away_from_kinks},
      {"leaky_relu 0.1", Shape{{3, 3, 2}}, away_from_kinks},
      {"sigmoid", Shape{{10}}},
      {"tanh", Shape{{3, 3, 2}}},
      {"softmax", Shape{{10}}},
      {"softmax", Shape{{2, 2, 5}}},
  };
}

}  // namespace gpufm::test
