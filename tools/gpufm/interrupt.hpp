// Ctrl-C for the commands that train. The first SIGINT or SIGTERM asks training to stop after the
// step it is in; the library then saves a checkpoint to resume from and throws Interrupted, and
// the command says how to resume. A second one ends the process at once with exit code 130,
// writing nothing more: a file being written then is left as it was, since files are written to
// a temporary name (PATH.tmp-<pid>) and renamed into place.
#pragma once

#include "gpufm/trainer.hpp"

namespace gpufm::cli {

// Installs the signal handlers and has `events` stop training at the first signal.
void stop_on_interrupt(TrainingEvents& events);

}  // namespace gpufm::cli
