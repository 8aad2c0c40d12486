#include "eval_output.hpp"

#include <cstdio>

#include "gpufm/format.hpp"

namespace gpufm::cli {

void print_eval(std::ostream& out, const EvalResult& result) {
  char figures[96];
  std::snprintf(figures, sizeof figures, "loss: %.4f", result.test.loss);
  out << "Model " << result.model << ", " << result.checkpoint.string() << " (after " << result.epochs_done << " epochs), on "
      << with_commas(result.test.samples) << " test images\n"
      << figures;
  if (result.report) {
    std::snprintf(figures, sizeof figures, " - accuracy: %.4f", result.test.accuracy);
    out << figures << "\n\nConfusion matrix (rows: true class, columns: predicted)\n"
        << format_confusion_matrix(result.test.confusion, result.class_names) << "\n"
        << format_classification_report(*result.report);
  } else {
    out << "\n";
  }
}

}  // namespace gpufm::cli
