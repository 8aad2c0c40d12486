#include "interrupt.hpp"

#include <signal.h>
#include <unistd.h>

#include <atomic>

#include "gpufm/error.hpp"

namespace gpufm::cli {

namespace {

// A signal handler may touch only lock-free atomics; it runs on whichever thread the signal hits.
std::atomic<int> interrupts{0};
static_assert(std::atomic<int>::is_always_lock_free);

void on_interrupt(int) {
  if (interrupts.fetch_add(1) > 0) _exit(static_cast<int>(ExitCode::interrupted));
}

}  // namespace

void stop_on_interrupt(TrainingEvents& events) {
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;  // a write the signal lands in goes on rather than failing
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  events.stop_requested = [] { return interrupts.load() > 0; };
}

}  // namespace gpufm::cli
