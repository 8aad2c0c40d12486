// Every op's CPU backward against central differences of its forward, on every listed case.
#include <gtest/gtest.h>

#include <set>

#include "gpufm/graph.hpp"
#include "ops/op_cases.hpp"

namespace gpufm::test {

std::vector<OpCase> all_op_cases() {
  std::vector<OpCase> cases = blas_op_cases();
  const std::vector<OpCase> more = elementwise_op_cases();
  cases.insert(cases.end(), more.begin(), more.end());
  return cases;
}

namespace {

class OpGradients : public testing::TestWithParam<OpCase> {};

TEST_P(OpGradients, BackwardMatchesFiniteDifferences) {
  const OpCase& c = GetParam();
  expect_gradients_match(c.statement, c.input, c.options);
}

std::string case_name(const testing::TestParamInfo<OpCase>& info) {
  std::string name = std::to_string(info.index) + "_";
  for (char ch : info.param.statement) name += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(AllOps, OpGradients, testing::ValuesIn(all_op_cases()), case_name);

TEST(OpCases, EveryOpInTheTableHasACase) {
  std::set<std::string> covered;
  for (const OpCase& c : all_op_cases()) covered.insert(compile_layer_text(c.statement, c.input).op->keyword.data());
  for (const OpDef* op : op_table()) {
    EXPECT_TRUE(covered.count(std::string(op->keyword))) << "no test case for op '" << op->keyword << "'";
    EXPECT_NE(op->make_cpu_kernel, nullptr) << "op '" << op->keyword << "' has no CPU kernel";
  }
}

}  // namespace
}  // namespace gpufm::test
