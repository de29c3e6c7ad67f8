#include "host/board/basic_services.h"

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace airlab::host::board {

void RegisterBasicServices(Bridge& bridge, const port::Clock& clock) {
  bridge.Register("board.echo", [](const Json& args, Waits&) { return args; });
  // time.sleep_us(n): waits n microseconds of the air's time (millisecond steps).
  bridge.Register("time.sleep_us", [](const Json& args, Waits& waits) {
    const auto us = std::max<int64_t>(0, args.at(0).get<int64_t>());  // as an ESP32: no error
    waits.WaitFor([] { return false; }, std::chrono::milliseconds((us + 999) / 1000));
    return Json();
  });
  bridge.Register("time.ticks_us",
                  [&clock](const Json&, Waits&) { return Json(clock.Now() / 1000); });
}

}  // namespace airlab::host::board
