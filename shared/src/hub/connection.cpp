// Out of line, so the interface's vtable lives in the core library once.
#include "harborrobot/hub/connection.h"

namespace harborrobot::hub {

Connections::~Connections() = default;

} // namespace harborrobot::hub
