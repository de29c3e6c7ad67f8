#pragma once
// The board's own services on the bridge: `board.echo` (returns its arguments: the bridge's
// round trip, for tests and bench/) and `time`'s: time.sleep_us waits on the air's clock
// (Ctrl-C ends it), time.ticks_us reads that clock.

#include "core/port/clock.h"
#include "host/board/bridge.h"

namespace airlab::host::board {

void RegisterBasicServices(Bridge& bridge, const port::Clock& clock);

}  // namespace airlab::host::board
