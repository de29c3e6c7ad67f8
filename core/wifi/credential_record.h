#pragma once
// The credential store's record as bytes: one format for every CredentialStore that keeps
// bytes (a file on Linux, a flash sector on a board, memory in tests), with a CRC-32 so a
// torn or corrupted copy is recognised instead of joining with garbage.
//
// Layout (little-endian): "AWCR", version 1, network count, parameter count, a zero byte,
// the join counter (u32); per network: SSID length + SSID, passphrase length + passphrase,
// last_joined (u32); per parameter: id length + id, value length + value; then the CRC-32
// (IEEE, as Ethernet's FCS) of everything before it.
#include <cstddef>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "core/port/credential_store.h"

namespace airlab::wifi {

inline constexpr size_t kCredentialRecordMaxSize =
    12 +
    port::Credentials::kMaxNetworks *
        (1 + port::Ssid::kMaxSize + 1 + port::Passphrase::kMaxSize + 4) +
    port::Credentials::kMaxParameters * (1 + 24 + 1 + 64) + 4;

// Writes `record` into `out`; returns the size. kInvalidArgument for a record Save would
// refuse (port::IsValidCredentials); kResourceExhausted when `out` is too small (it never
// is at kCredentialRecordMaxSize).
StatusWithSize EncodeCredentials(const port::Credentials& record, MutableByteSpan out);

// Reads a record written by EncodeCredentials into `out` (left empty on error).
// kDataLoss: wrong magic, a reserved byte not zero, a CRC that does not match, lengths or counts that lie or exceed
// their capacity, trailing bytes, or contents Save would refuse. kUnimplemented: a newer
// version.
Status DecodeCredentials(ByteSpan bytes, port::Credentials& out);

}  // namespace airlab::wifi
