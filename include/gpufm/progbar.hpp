// The pieces of Keras' progress display (tf.keras 2.x `Progbar`), as its users read them:
//   123/469 [=======>......................] - ETA: 2s - loss: 0.3012 - accuracy: 0.9121
//   469/469 [==============================] - 3s 6ms/step - loss: 0.2975 - accuracy: 0.9131
//   469/469 - 3s - loss: 0.2975 - accuracy: 0.9131 - 3s/epoch - 6ms/step        (verbose=2)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace gpufm {

// " 7/469": the step right-aligned to the digits of the step count.
std::string progbar_counter(std::int64_t step, std::int64_t steps);

// "[=======>......................]": 30 wide, as many characters filled as the share of steps
// done, the last of them ">" while the epoch runs.
std::string progbar_bar(std::int64_t step, std::int64_t steps);

// The estimate of the time left: "42s", "1:05" past a minute, "1:00:05" past an hour.
std::string progbar_eta(double seconds);

// The time a unit takes: "6ms/step", "3s/epoch", "850us/step" (whole numbers of the largest unit
// under it, seconds from 1 s and for 0).
std::string progbar_time_per(double seconds, std::string_view unit);

// " - loss: 0.3012", with four decimals, or as "1.2340e-04" when |value| is at most 1e-3.
std::string progbar_metric(std::string_view name, double value);

}  // namespace gpufm
