#pragma once
// Host-only helpers for core/wire's tests: the golden frames of tests/data/dot11 (made by
// scapy, see make_golden.py there) and tshark as an oracle over frames in a pcap file.

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/bytes.h"
#include "core/base/mac_address.h"

namespace airlab::wire::testing {

using Bytes = std::vector<std::byte>;

Bytes FromHex(std::string_view hex);
// Lower-case hex without separators, as tshark prints byte fields.
std::string Hex(ByteSpan bytes);
// "aa:bb:cc:dd:ee:ff", as tshark prints addresses.
std::string ToString(const MacAddress& mac);

// golden.txt by frame name. Throws when the file is missing or malformed.
const std::map<std::string, Bytes>& GoldenFrames();
// One golden frame; throws on an unknown name.
const Bytes& Golden(const std::string& name);

// Writes `frames` to a pcap (link type 105, 802.11 without radiotap), runs
// `tshark -T fields` over it with `fields` and returns one line per frame, fields joined
// by '|'. With `fcs`, tshark is told the frames end in an FCS and checks it
// (wlan.check_fcs, wlan.check_checksum). `options` go on tshark's command line as they
// are (decryption keys, say). Throws when tshark fails.
std::vector<std::string> Tshark(const std::vector<Bytes>& frames,
                                const std::vector<std::string>& fields, bool fcs = false,
                                const std::string& options = "");

}  // namespace airlab::wire::testing
