#include "ops/op_cases.hpp"

namespace gpufm::test {

std::vector<OpCase> blas_op_cases() { return {}; }

}  // namespace gpufm::test
