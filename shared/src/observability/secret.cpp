// Placeholder until the observability work lands; replaced at merge.
#include "harborrobot/observability/secret.h"

namespace harborrobot {
SecretString::~SecretString() = default;
} // namespace harborrobot
