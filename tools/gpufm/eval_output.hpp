// A model's figures on the test split as `gpufm eval` prints them (and `gpufm kfold --final`):
// loss and accuracy, the confusion matrix and the per-class report.
#pragma once

#include <ostream>

#include "gpufm/evaluate.hpp"

namespace gpufm::cli {

void print_eval(std::ostream& out, const EvalResult& result);

}  // namespace gpufm::cli
