// What `gpufm kfold` and `gpufm sweep` both print: the study's header, a title before each
// member's epochs and its figures after them, and a member's figures as table cells.
//   Model: small (300 parameters), crossentropy on labels, adam lr=0.01, batch 32, 3 epochs, validation 0.2
//   Data: IDX set from /data, 256 training images in 4 folds of 64 (seed 42)      (the command's own lines)
//   Validation: each fold in turn, trained on the others, in place of the model's validation 0.2
//   Device: CPU (2 threads, OpenBLAS) (--device cpu)
//   Study: runs/small-kfold-20250101-120000
//
//   Fold 1/4 (runs/small-kfold-20250101-120000/fold-1)
//   Epoch 1/3 - 0s 2ms/step - loss: 1.0913 - accuracy: 0.5573 - val_loss: 0.8612 - val_accuracy: 0.7969
//   fold-1: best epoch 3 - val_loss 0.2284 - val_accuracy 0.9844 (3 epochs, 0.2s)
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "gpufm/format.hpp"
#include "gpufm/study_run.hpp"
#include "progress.hpp"

namespace gpufm::cli {

// The Model, Device and Study lines around the command's own lines (its data and its design).
void print_study_header(std::ostream& out, const StudyStart& start, const std::string& device_why,
                        const std::vector<std::string>& own_lines);

// "Data: Fashion-MNIST from /usr/share/datasets/fashion-mnist, 60,000 training images"
std::string data_line(const Dataset& data);

// The events of a study: `started` prints the header; `title` names each member before its
// epochs (its run directory follows), which `progress` shows; a line of figures ends each member.
StudyEvents study_events(std::ostream& out, Progress& progress, const std::function<void(const StudyStart&)>& started,
                         const std::function<std::string(const StudyMember&, std::size_t index)>& title);


// "0.2284 ± 0.0051"
std::string mean_std_text(const MeanStd& value, const std::function<std::string(double)>& text);

// The cells of a member's epochs, its best epoch's val_loss and val_accuracy ("-" without), and
// its time; "diverged" and dashes for a member whose run diverged.
std::vector<std::string> figure_cells(const StudyMember& member);

// "Resuming: 3 of 5 trials done"
std::string resuming_line(const Study& study, const std::string& members);

}  // namespace gpufm::cli
