#pragma once
// The board's own services on the bridge: `board.echo` (returns its arguments: the bridge's
// round trip, for tests and bench/) and the waits of `time` (sleep on the air's clock,
// ended by Ctrl-C).

#include "host/board/bridge.h"

namespace airlab::host::board {

void RegisterBasicServices(Bridge& bridge);

}  // namespace airlab::host::board
