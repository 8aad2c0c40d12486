// Keras' Progbar text, piece by piece, against what tf.keras 2.13 prints for the same numbers.
#include "gpufm/progbar.hpp"

#include <gtest/gtest.h>

namespace gpufm {
namespace {

TEST(Progbar, CounterIsRightAlignedToTheStepCount) {
  EXPECT_EQ(progbar_counter(7, 469), "  7/469");
  EXPECT_EQ(progbar_counter(469, 469), "469/469");
  EXPECT_EQ(progbar_counter(1, 1), "1/1");
}

TEST(Progbar, BarFillsAsManyCharactersAsTheShareDoneTheLastAnArrowWhileRunning) {
  EXPECT_EQ(progbar_bar(0, 469), "[..............................]");
  EXPECT_EQ(progbar_bar(10, 469), "[..............................]");  // 30 * 10 / 469 is under one character
  EXPECT_EQ(progbar_bar(120, 469), "[======>.......................]");
  EXPECT_EQ(progbar_bar(468, 469), "[============================>.]");
  EXPECT_EQ(progbar_bar(469, 469), "[==============================]");
  EXPECT_EQ(progbar_bar(1, 1), "[==============================]");
}

TEST(Progbar, EtaIsSecondsThenMinutesThenHours) {
  EXPECT_EQ(progbar_eta(2.7), "2s");
  EXPECT_EQ(progbar_eta(60), "60s");
  EXPECT_EQ(progbar_eta(65.2), "1:05");
  EXPECT_EQ(progbar_eta(3600), "60:00");
  EXPECT_EQ(progbar_eta(3725), "1:02:05");
}

TEST(Progbar, TimePerUnitTakesTheLargestUnitUnderIt) {
  EXPECT_EQ(progbar_time_per(0.0064, "step"), "6ms/step");
  EXPECT_EQ(progbar_time_per(0.00085, "step"), "850us/step");
  EXPECT_EQ(progbar_time_per(3.4, "epoch"), "3s/epoch");
  EXPECT_EQ(progbar_time_per(1, "step"), "1s/step");
  EXPECT_EQ(progbar_time_per(0, "step"), "0s/step");
}

TEST(Progbar, SmallMetricValuesAreInExponentForm) {
  EXPECT_EQ(progbar_metric("loss", 0.30123), " - loss: 0.3012");
  EXPECT_EQ(progbar_metric("loss", 0.0012), " - loss: 0.0012");
  EXPECT_EQ(progbar_metric("loss", 0.000123456), " - loss: 1.2346e-04");
  EXPECT_EQ(progbar_metric("lr", 0.001), " - lr: 1.0000e-03");
  EXPECT_EQ(progbar_metric("lr", 0.001f), " - lr: 0.0010");  // a float32 learning rate, as Keras shows it
  EXPECT_EQ(progbar_metric("loss", 0), " - loss: 0.0000e+00");
  EXPECT_EQ(progbar_metric("loss", -2.5), " - loss: -2.5000");
}

}  // namespace
}  // namespace gpufm
