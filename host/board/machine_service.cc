#include "host/board/machine_service.h"

#include <cstdio>
#include <string>

namespace airlab::host::board {

void RegisterMachineService(Bridge& bridge, Resets& resets, const MacAddress& mac) {
  bridge.Register("machine.reset", [&resets](const Json&, Waits&) {
    resets.RequestReset(ResetKind::kHard);
    return Json();
  });
  bridge.Register("machine.soft_reset", [&resets](const Json&, Waits&) {
    resets.RequestReset(ResetKind::kSoft);
    return Json();
  });
  bridge.Register("machine.reset_cause",
                  [&resets](const Json&, Waits&) { return Json(resets.reset_cause()); });
  std::string hex;
  for (uint8_t b : mac.octets()) {
    char two[3];
    std::snprintf(two, sizeof two, "%02x", b);
    hex += two;
  }
  bridge.Register("machine.unique_id", [hex](const Json&, Waits&) { return Json(hex); });
}

}  // namespace airlab::host::board
