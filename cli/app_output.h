#pragma once
// How the gateway's and the nodes' events read on a terminal: one line each, shared by
// `airlab demo`, `airlab gateway` and `airlab node`.

#include <string>

#include "apps/gateway/gateway.h"
#include "apps/node/node.h"
#include "core/cloud/errors.h"
#include "core/wifi/manager.h"

namespace airlab::cli {

std::string MacText(const MacAddress& mac);
// "timeout (-304)", "too many requests (429)", ...
std::string CloudErrorText(cloud::ErrorCode code);
// The line for an event, without its time; "" for events not worth a line.
// `cloud_url`: where the gateway posts, named when the cloud refuses its key or channel.
std::string GatewayEventText(const apps::GatewayEvent& e, int command_field,
                             std::string_view cloud_url = "");
std::string NodeEventText(const std::string& node, const apps::NodeEvent& e);
// The Wi-Fi manager's event as a line ("wifi:    joined \"lab-router\" on channel 6 as
// 192.168.1.2"); "" for the steps only `verbose` shows (the start, each wait's end).
// SSIDs are quoted with bytes outside printable ASCII as \xNN: they come from the air.
std::string WifiEventText(const wifi::ManagerEvent& e, bool verbose = false);
// "[  12.3 s] " for a simulated time.
std::string TimePrefix(port::TimeNs t);

}  // namespace airlab::cli
