// `gpufm info`: the build and the GPUs this process can use.
#include <iostream>

#include "commands.hpp"
#include "gpufm/device.hpp"
#include "gpufm/format.hpp"

namespace gpufm::cli {

void add_info_command(CLI::App& root) {
  CLI::App* command = root.add_subcommand("info", "Show the build and the GPUs found at run time");
  command->callback([] {
    const GpuProbe probe = probe_gpus();
    std::cout << "gpufm " << GPUFM_VERSION << "\n"
              << "CUDA backend: " << (probe.cuda_built ? "built" : "not built") << "\n";
    if (probe.gpus.empty()) {
      std::cout << "GPU: none (" << probe.why_none << "); training runs on the CPU backend\n";
    }
    for (const GpuInfo& gpu : probe.gpus) {
      std::cout << "GPU " << gpu.index << " (--device cuda:" << gpu.index << "): " << gpu.name << ", " << human_bytes(static_cast<double>(gpu.total_memory))
                << ", compute capability " << gpu.major << "." << gpu.minor << "\n";
    }
  });
}

}  // namespace gpufm::cli
