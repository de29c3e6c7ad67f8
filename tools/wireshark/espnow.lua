-- ESP-NOW dissector for Wireshark (airlab, tools/wireshark/espnow.lua).
--
-- ESP-NOW frames are 802.11 Action frames, category 127 (vendor specific), OUI 18:fe:34;
-- after the OUI come 4 random bytes and one vendor element (v1) or a chain of them (v2),
-- each `dd len 18:fe:34 04 version data`; in v2 the version byte's bit 4 says "more data".
-- Wireshark's 802.11 dissector hands the bytes after the OUI to the vendor-specific
-- action table by OUI; this dissector registers there for Espressif's OUI.
--
-- Field names follow the community dissector (espnow.random, espnow.vs.*) so existing
-- display filters carry over; espnow.vs.more_data and espnow.payload (the payload of a v2
-- chain, reassembled across its elements) are airlab's additions.
--
-- Install: copy to ~/.local/lib/wireshark/plugins/ (see README.md), or run
--   tshark -X lua_script:espnow.lua -r capture.pcapng -Y espnow

local espnow = Proto("espnow", "ESP-NOW (Espressif)")

local f = espnow.fields
f.random = ProtoField.uint32("espnow.random", "Random", base.HEX)
f.vs = ProtoField.none("espnow.vs", "Vendor Specific Element")
f.element_id = ProtoField.uint8("espnow.vs.element_id", "Element ID", base.HEX)
f.length = ProtoField.uint8("espnow.vs.length", "Length", base.DEC)
f.oui = ProtoField.uint24("espnow.vs.oui", "Organization Identifier", base.HEX)
f.type = ProtoField.uint8("espnow.vs.type", "Type", base.HEX)
f.version = ProtoField.uint8("espnow.vs.version", "Version", base.DEC, nil, 0x0f)
f.more_data = ProtoField.bool("espnow.vs.more_data", "More data", 8, nil, 0x10)
f.data = ProtoField.bytes("espnow.vs.data", "Body")
f.payload = ProtoField.bytes("espnow.payload", "Payload (reassembled)")
f.payload_len = ProtoField.uint16("espnow.payload.len", "Payload length", base.DEC)
f.elements = ProtoField.uint8("espnow.elements", "Elements", base.DEC)

local ef = {
  broken_chain = ProtoExpert.new("espnow.broken_chain", "ESP-NOW element chain broken",
                                 expert.group.MALFORMED, expert.severity.WARN),
  bad_length = ProtoExpert.new("espnow.bad_length", "ESP-NOW element length runs past the frame",
                               expert.group.MALFORMED, expert.severity.ERROR),
}
espnow.experts = { ef.broken_chain, ef.bad_length }

local ESPRESSIF_OUI = 0x18fe34
local TYPE_ESPNOW = 0x04

-- `tvb` starts after the action header's OUI: random (4), then the elements.
function espnow.dissector(tvb, pinfo, tree)
  if tvb:len() < 4 + 7 then return 0 end
  if tvb(4, 1):uint() ~= 0xdd or tvb(6, 3):uint() ~= ESPRESSIF_OUI or tvb(9, 1):uint() ~= TYPE_ESPNOW then
    return 0
  end
  local root = tree:add(espnow, tvb(), "ESP-NOW")
  root:add(f.random, tvb(0, 4))

  local offset = 4
  local parts = {}
  local total = 0
  local count = 0
  local version = nil
  while offset + 2 <= tvb:len() do
    local id = tvb(offset, 1):uint()
    local len = tvb(offset + 1, 1):uint()
    if id ~= 0xdd or len < 5 or offset + 2 + len > tvb:len() or tvb(offset + 2, 3):uint() ~= ESPRESSIF_OUI then
      if id == 0xdd and offset + 2 + len > tvb:len() then
        root:add_proto_expert_info(ef.bad_length)
      else
        root:add_proto_expert_info(ef.broken_chain)
      end
      break
    end
    local element = root:add(f.vs, tvb(offset, 2 + len))
    element:set_text("Vendor Specific Element " .. (count + 1))
    element:add(f.element_id, tvb(offset, 1))
    element:add(f.length, tvb(offset + 1, 1))
    element:add(f.oui, tvb(offset + 2, 3))
    element:add(f.type, tvb(offset + 5, 1))
    element:add(f.version, tvb(offset + 6, 1))
    element:add(f.more_data, tvb(offset + 6, 1))
    local vbyte = tvb(offset + 6, 1):uint()
    version = version or bit.band(vbyte, 0x0f)
    if len > 5 then
      element:add(f.data, tvb(offset + 7, len - 5))
      parts[#parts + 1] = tvb(offset + 7, len - 5):bytes()
    end
    total = total + (len - 5)
    count = count + 1
    offset = offset + 2 + len
    if bit.band(vbyte, 0x10) == 0 then break end
    if offset >= tvb:len() then
      root:add_proto_expert_info(ef.broken_chain)
      break
    end
  end
  root:add(f.elements, count):set_generated()
  root:add(f.payload_len, total):set_generated()
  if #parts > 0 then
    local joined = ByteArray.new()
    for _, p in ipairs(parts) do joined:append(p) end
    local payload_tvb = joined:tvb("ESP-NOW payload")
    root:add(f.payload, payload_tvb()):set_generated()
  end
  pinfo.cols.protocol = "ESP-NOW"
  pinfo.cols.info = string.format("ESP-NOW v%d %s > %s, %d bytes%s", version or 0, tostring(pinfo.src),
                                  tostring(pinfo.dst), total, count > 1 and (" in " .. count .. " elements") or "")
  return tvb:len()
end

DissectorTable.get("wlan.action.vendor_specific"):add(ESPRESSIF_OUI, espnow)
