#pragma once
// The roles with what they run on, over any port::Radio (a sim node, a hub node): the
// ESP-NOW Stack, an Rng, the mbedTLS cipher, a Timer and the app's memory. The same hosts
// serve the in-process Lab (lab.h) and the `airlab gateway` / `airlab node` processes.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "apps/gateway/gateway.h"
#include "apps/node/node.h"
#include "core/espnow/stack.h"
#include "core/port/clock.h"
#include "core/port/durable_queue.h"
#include "core/port/radio.h"
#include "core/port/rng.h"
#include "core/port/timer.h"
#include "core/port/uplink.h"
#include "platform/mbedtls/mbedtls_aes128.h"

namespace airlab::host {

// The gateway's sizes on a host: a 32 KB receive queue in the Stack (about a thousand short
// readings) and up to 1024 readings per transaction. While one commit waits for the disk,
// frames pile up in the queue and go into the next commit together, so a burst costs one
// disk sync per queue-full rather than per 64 readings (bench/gateway_benchmark.cc
// measures both).
using HostGatewayStack = espnow::StaticStack<20, 24, 32768, 8192>;
using HostGatewayBuffers = apps::GatewayBuffers<19, 128, 1024>;

class GatewayHost {
 public:
  // `config`'s strings and field mappings are copied. The radio, clocks, store and uplink
  // must outlive the host.
  GatewayHost(port::Radio& radio, std::unique_ptr<port::Timer> timer, const port::Clock& clock,
              const port::Clock& wall_clock, port::DurableQueue& store, port::Uplink& uplink,
              const apps::GatewayConfig& config, uint64_t seed);
  GatewayHost(const GatewayHost&) = delete;
  GatewayHost& operator=(const GatewayHost&) = delete;

  // The Wi-Fi station joins its router on `channel` (the radio goes there), then the
  // gateway starts. The gateway's and the radio's errors.
  Status Start(uint8_t channel);
  // The router moved to `channel` and the station followed it.
  Status FollowRouter(uint8_t channel);

  apps::Gateway& gateway() { return *gateway_; }
  espnow::Stack& stack() { return stack_.stack(); }
  port::Radio& radio() { return radio_; }

 private:
  port::Radio& radio_;
  std::unique_ptr<port::Timer> timer_;
  port::SplitMix64 rng_;
  mbedtls::MbedtlsAes128 aes_;
  HostGatewayStack stack_;
  std::unique_ptr<HostGatewayBuffers> buffers_;
  std::string write_key_, read_key_, command_read_key_, name_;
  std::vector<apps::FieldMapping> fields_;
  std::unique_ptr<apps::Gateway> gateway_;
};

class NodeHost {
 public:
  // `queue_bytes` of storage for readings waiting for the gateway (Node::kQueueOverhead
  // plus the value each).
  NodeHost(port::Radio& radio, std::unique_ptr<port::Timer> timer, const port::Clock& clock,
           const apps::NodeConfig& config, uint64_t seed, size_t queue_bytes = 4096);
  NodeHost(const NodeHost&) = delete;
  NodeHost& operator=(const NodeHost&) = delete;

  Status Start() { return node_->Start(); }
  apps::Node& node() { return *node_; }
  espnow::Stack& stack() { return stack_.stack(); }
  port::Radio& radio() { return radio_; }

 private:
  port::Radio& radio_;
  std::unique_ptr<port::Timer> timer_;
  port::SplitMix64 rng_;
  mbedtls::MbedtlsAes128 aes_;
  espnow::StaticStack<> stack_;
  apps::RadioChannelControl channel_;
  std::vector<std::byte> queue_;
  std::unique_ptr<apps::Node> node_;
};

}  // namespace airlab::host
