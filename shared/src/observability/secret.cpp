// SecretString's destructor wipes the bytes, so a freed buffer does not keep a
// credential around for a core dump or a heap read.
#include "harborrobot/observability/secret.h"

#include <algorithm>

namespace harborrobot {

SecretString::~SecretString() {
  // A volatile write cannot be optimised away as a dead store.
  volatile char* bytes = value_.data();
  for (std::size_t i = 0; i < value_.size(); ++i) {
    bytes[i] = 0;
  }
}

} // namespace harborrobot
