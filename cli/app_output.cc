#include "cli/app_output.h"

#include <cstdio>

namespace airlab::cli {
namespace {

std::string Quoted(ByteSpan value) {
  std::string out = "\"";
  for (std::byte b : value) {
    const char c = static_cast<char>(b);
    if (c == '"' || c == '\\') out += '\\';
    out += (static_cast<unsigned char>(c) < 0x20) ? '?' : c;
  }
  return out + "\"";
}

std::string Format(const char* format, auto... args) {
  char buf[512];
  std::snprintf(buf, sizeof buf, format, args...);
  return buf;
}

std::string SsidText(const port::Ssid& ssid) {
  std::string out = "\"";
  for (std::byte b : ssid.bytes()) {
    const auto c = static_cast<unsigned char>(b);
    if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
      out += Format("\\x%02x", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

const char* FailureText(port::WifiFailure why) {
  switch (why) {
    case port::WifiFailure::kBeaconTimeout: return "its beacons are no longer heard";
    case port::WifiFailure::kNoApFound: return "not found on any channel";
    case port::WifiFailure::kWrongPassword: return "wrong password (the handshake's MIC failed)";
    case port::WifiFailure::kAssocFail: return "authentication or association refused";
    case port::WifiFailure::kHandshakeTimeout: return "no handshake or address in time";
    case port::WifiFailure::kDeauthenticated: return "deauthenticated by the router";
    case port::WifiFailure::kLeft: return "left";
  }
  return "failed";
}

}  // namespace

std::string MacText(const MacAddress& mac) {
  char text[MacAddress::kStringSize + 1];
  mac.Format(text);
  return text;
}

std::string CloudErrorText(cloud::ErrorCode code) {
  const int n = cloud::ToInt(code);
  const char* what = nullptr;
  switch (code) {
    case cloud::ErrorCode::kConnectFailed: what = "no connection"; break;
    case cloud::ErrorCode::kUnexpectedFailure: what = "connection broken off"; break;
    case cloud::ErrorCode::kBadAnswer: what = "unreadable answer"; break;
    case cloud::ErrorCode::kTimeout: what = "no answer in time"; break;
    case cloud::ErrorCode::kNotInserted: what = "update refused"; break;
    default: break;
  }
  if (what != nullptr) return Format("%s (%d)", what, n);
  const std::string_view name = cloud::ErrorName(code);
  if (!name.empty()) return Format("%.*s (%d)", static_cast<int>(name.size()), name.data(), n);
  return Format("HTTP %d", n);
}

// One line per step of the manager; kept to what a person watching needs.
std::string WifiEventText(const wifi::ManagerEvent& e, bool verbose) {
  using R = wifi::ManagerReason;
  const std::string ssid = SsidText(e.ssid);
  const std::string reason = e.reason_code != 0 ? Format(" (reason %d)", e.reason_code) : "";
  switch (e.reason) {
    case R::kStart: return verbose ? "wifi:    scanning for its stored networks" : "";
    case R::kStop: return "wifi:    stopped";
    case R::kStoreFailed:
      return Format("wifi:    its credential store failed (%s); going on without it",
                    e.status.str());
    case R::kNoStoredNetworks:
      return "wifi:    no stored networks: hotspot " + ssid + " opened with the portal";
    case R::kNoneInRange: return "wifi:    none of its stored networks is in range";
    case R::kScanFailed: return "wifi:    the scan failed";
    case R::kTrying: return "wifi:    joining " + ssid;
    case R::kJoined:
      return Format("wifi:    joined %s on channel %d as %d.%d.%d.%d", ssid.c_str(), e.channel,
                    e.address[0], e.address[1], e.address[2], e.address[3]);
    case R::kJoinFailed: return "wifi:    " + ssid + ": " + FailureText(e.failure) + reason;
    case R::kJoinTimeout: return "wifi:    " + ssid + ": no answer within the join timeout";
    case R::kLinkLost: return "wifi:    lost " + ssid + ": " + FailureText(e.failure) + reason;
    case R::kBackoff:
      return Format("wifi:    next try in %.1f s", static_cast<double>(e.wait) / 1e9);
    case R::kBackoffOver: return verbose ? "wifi:    trying again" : "";
    case R::kRoundsFailed:
      return Format("wifi:    %u rounds failed: hotspot %s opened with the portal", e.failed_rounds,
                    ssid.c_str());
    case R::kHotspotFailed:
      return Format("wifi:    the hotspot did not start (%s)", e.status.str());
    case R::kPortalCredentials: return "wifi:    the portal gave " + ssid + ": saved, joining it";
    case R::kPortalTimeout: return "wifi:    nobody used the portal: hotspot closed, trying again";
    case R::kPortalExit: return "wifi:    the portal was left: hotspot closed, trying again";
    case R::kErased: return "wifi:    stored networks and settings erased";
    case R::kHotspotClosed: return "wifi:    hotspot closed";
  }
  return "";
}

std::string TimePrefix(port::TimeNs t) {
  return Format("[%7.2f s] ", static_cast<double>(t) / 1e9);
}

std::string GatewayEventText(const apps::GatewayEvent& e, int command_field,
                             std::string_view cloud_url) {
  using K = apps::GatewayEventKind;
  const std::string node = MacText(e.node);
  const unsigned long long id = e.id, first = e.first_id, count = e.count;
  switch (e.kind) {
    case K::kNodeJoined:
      return e.field != 0 ? Format("gateway: node %s joined; its readings go to field %d",
                                   node.c_str(), e.field)
                          : Format("gateway: node %s joined; no field is left for its readings",
                                   node.c_str());
    case K::kStored:
      return Format("gateway: stored reading #%llu from %s (field %d): %s", id, node.c_str(),
                    e.field, Quoted(e.value).c_str());
    case K::kDuplicate:
      return Format("gateway: %s sent reading %llu again; confirmed again, stored once",
                    node.c_str(), id);
    case K::kRejected:
      if (e.status == Status::NotFound()) {
        return e.field == 0
                   ? Format(
                         "gateway: refused a reading from %s for good: the channel has no free "
                         "field "
                         "for it",
                         node.c_str())
                   : Format(
                         "gateway: refused a reading from %s for good: the channel has no field %d",
                         node.c_str(), e.field);
      }
      return Format("gateway: refused a reading from %s for good: not a value ThingSpeak stores",
                    node.c_str());
    case K::kPosted:
      return Format("cloud:   bulk update accepted: readings #%llu..#%llu (%llu) in %zu entr%s",
                    first, id, count, e.entries, e.entries == 1 ? "y" : "ies");
    case K::kWriteRefused:
      return Format("cloud:   write refused by the rate limit (%s); sent again later, nothing lost",
                    CloudErrorText(e.code).c_str());
    case K::kUplinkError:
      return Format("cloud:   %s; the readings stay queued, trying again",
                    CloudErrorText(e.code).c_str());
    case K::kReconciled:
      return count > 0 ? Format(
                             "cloud:   read the channel back: %llu reading%s already there (up to "
                             "#%llu), "
                             "not sent again",
                             count, count == 1 ? " was" : "s were", id)
                       : std::string("cloud:   read the channel back: nothing in doubt");
    case K::kCommand:
      return Format("cloud:   command #%llu in field %d: %s", id, command_field,
                    Quoted(e.value).c_str());
    case K::kForwarded:
      return Format("gateway: command #%llu delivered to %s (radio ACK, attempt %llu)", id,
                    node.c_str(), count);
    case K::kForwardFailed:
      return Format("gateway: command #%llu not acknowledged by %s (attempt %llu); retrying", id,
                    node.c_str(), count);
    case K::kStoreError:
      return Format("gateway: the store failed (%s); nothing confirmed, the nodes send again",
                    e.status.str());
    case K::kHomeChannel:
      return Format("gateway: its Wi-Fi station is now on channel %d; ESP-NOW follows", e.channel);
    case K::kCloudRefused: {
      const std::string cloud =
          cloud_url.empty()
              ? std::string("the cloud")
              : Format("the cloud at %.*s", static_cast<int>(cloud_url.size()), cloud_url.data());
      const std::string rest = "; the readings stay queued, retrying with back-off";
      if (e.code == cloud::ErrorCode::kNotFound) {
        return Format("gateway: %s has no channel %llu (404): check --channel-id%s", cloud.c_str(),
                      id, rest.c_str());
      }
      return Format("gateway: %s refused the write key (%d): check --write-key%s", cloud.c_str(),
                    cloud::ToInt(e.code), rest.c_str());
    }
  }
  return "";
}

std::string NodeEventText(const std::string& node, const apps::NodeEvent& e) {
  using K = apps::NodeEventKind;
  switch (e.kind) {
    case K::kScanning:
      return Format("%s: scanning for the gateway from channel %d", node.c_str(), e.channel);
    case K::kLinked:
      return Format("%s: found the gateway %s on channel %d", node.c_str(),
                    MacText(e.gateway).c_str(), e.channel);
    case K::kLost:
      return Format("%s: %llu sends failed in a row; the gateway moved or went: scanning again",
                    node.c_str(), static_cast<unsigned long long>(e.count));
    case K::kDelivered:
      return Format("%s: reading %s (seq %u) is in the gateway's store", node.c_str(),
                    Quoted(e.value).c_str(), e.sequence);
    case K::kRejected:
      return Format("%s: reading %s (seq %u) refused by the gateway", node.c_str(),
                    Quoted(e.value).c_str(), e.sequence);
    case K::kCommand:
      return e.id != 0 ? Format("%s: command #%llu: %s", node.c_str(),
                                static_cast<unsigned long long>(e.id), Quoted(e.value).c_str())
                       : Format("%s: command: %s", node.c_str(), Quoted(e.value).c_str());
  }
  return "";
}

}  // namespace airlab::cli
