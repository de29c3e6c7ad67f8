#include "host/hosts.h"

namespace airlab::host {

GatewayHost::GatewayHost(port::Radio& radio, std::unique_ptr<port::Timer> timer,
                         const port::Clock& clock, const port::Clock& wall_clock,
                         port::DurableQueue& store, port::Uplink& uplink,
                         const apps::GatewayConfig& config, uint64_t seed)
    : radio_(radio),
      timer_(std::move(timer)),
      rng_(seed),
      stack_(radio, rng_, aes_),
      buffers_(std::make_unique<HostGatewayBuffers>()),
      write_key_(config.write_key),
      read_key_(config.read_key),
      command_read_key_(config.command_read_key),
      name_(config.name),
      fields_(config.fields.begin(), config.fields.end()) {
  apps::GatewayConfig c = config;
  c.write_key = write_key_;
  c.read_key = read_key_;
  c.command_read_key = command_read_key_;
  c.name = name_;
  c.fields = fields_;
  gateway_ = std::make_unique<apps::Gateway>(stack_.stack(), store, uplink, clock, wall_clock,
                                             *timer_, rng_, buffers_->memory(), c);
}

Status GatewayHost::Start(uint8_t channel) {
  AIRLAB_TRY(radio_.SetChannel(channel));
  return gateway_->Start(channel);
}

Status GatewayHost::FollowRouter(uint8_t channel) {
  AIRLAB_TRY(radio_.SetChannel(channel));
  gateway_->OnHomeChannel(channel);
  return Status::Ok();
}

NodeHost::NodeHost(port::Radio& radio, std::unique_ptr<port::Timer> timer, const port::Clock& clock,
                   const apps::NodeConfig& config, uint64_t seed, size_t queue_bytes)
    : radio_(radio),
      timer_(std::move(timer)),
      rng_(seed),
      stack_(radio, rng_, aes_),
      channel_(radio),
      queue_(queue_bytes) {
  node_ =
      std::make_unique<apps::Node>(stack_.stack(), channel_, clock, *timer_, rng_, queue_, config);
}

}  // namespace airlab::host
