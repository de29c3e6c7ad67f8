#include "host/air_capture.h"

namespace airlab::host {
namespace {

linux_port::CaptureWriterOptions WriterOptions(const AirCaptureOptions& options) {
  linux_port::CaptureWriterOptions w;  // the format follows the file's name
  w.interface_name = options.interface_name;
  return w;
}

}  // namespace

AirCapture::AirCapture(sim::Simulation& simulation, std::string path, AirCaptureOptions options,
                       const std::vector<std::string>& inputs)
    : writer_(std::move(path), WriterOptions(options), inputs),
      tap_(simulation, *this, options.tap) {}

void AirCapture::WriteFrame(int64_t ts_ns, ByteSpan record) {
  linux_port::CapturedPacket packet;
  packet.ts_ns = ts_ns;
  packet.data = record;
  writer_.Write(packet);
}

void AirCapture::Close() {
  tap_.Close();
  writer_.Close();
}

}  // namespace airlab::host
