import type { Logger } from '../core/ports.ts';
import type { Scenario } from '../scenarios/index.ts';
import type { RunStore } from './store/run-store.ts';
import { startEmbeddedBroker, type BrokerHandle } from './broker/embedded-broker.ts';
import type { LatencyTracker } from '../sim/mqtt/latency-tracker.ts';
import { Ingest } from './ingest/ingest.ts';
import { defaultVerifyWorkers } from './ingest/verify-pool.ts';
import type { EpochCalendar } from './epochs/calendar.ts';
import type { SimTime } from '../sim/clock/sim-time.ts';
import { warnOfGiveUps } from '../sim/clock/io-settle.ts';
import type { PlacedFleetRuntime } from '../sim/fleet-process/placement.ts';
import { pebbleIngestCodec } from './ingest/pebble-codec.ts';
import { RegistrationBackend } from './registration/registration-exchange.ts';
import type { Cleanups } from '../sim/run/cleanups.ts';

export interface Backend {
  ingest: Ingest;
  broker: BrokerHandle;
  /** Connections refused at login (wrong credentials). */
  authFailures(): number;
  registration: RegistrationBackend;
}

/**
 * What the devices talk to: the ingest (decode, verify, validate, store), the registration
 * exchange for devices that connect unregistered, and the embedded broker that routes each
 * publish to one of them. Every publish is announced to the discrete clock, so simulated time
 * waits for it.
 */
export async function startBackend(input: {
  scenario: Scenario;
  store: RunStore;
  fleet: PlacedFleetRuntime;
  time: SimTime;
  calendar: EpochCalendar;
  latency: LatencyTracker;
  wallNowMs: () => number;
  brokerPort?: number;
  cleanups: Cleanups;
  logger: Logger;
}): Promise<Backend> {
  const { scenario, store, fleet, latency, wallNowMs, cleanups, logger } = input;
  const { clock, io } = input.time;
  const ingest = new Ingest({
    store, codec: pebbleIngestCodec, devices: fleet.ingestDevices, calendar: input.calendar,
    maxClockSkewS: scenario.ingest.maxClockSkewS, simNowMs: () => clock.nowMs(), wallNowMs,
    sentAtMs: (clientId, payload) => latency.take(clientId, payload),
    onAccepted: fleet.readingAccepted,
    verifyWorkers: defaultVerifyWorkers(),
  });
  cleanups.push(() => ingest.close());
  io.addPending('readings still in the ingest', () => ingest.inFlight());
  warnOfGiveUps(io, logger, 'the I/O of a slice on the run side');
  let authFailures = 0;
  // Devices that connect unregistered go through the owner proposal / confirm exchange.
  const registration = new RegistrationBackend({
    registry: fleet.registry,
    deliver: (clientId, topic, payload) => broker.deliver(clientId, topic, payload),
    reject: (clientId, topic, payload, reason, detail) => ingest.reject(clientId, topic, payload, reason, detail),
    nowMs: () => clock.nowMs(),
    track: (operation) => io.track(operation),
    maxClockSkewS: scenario.ingest.maxClockSkewS,
    logger,
  });
  const broker: BrokerHandle = await startEmbeddedBroker({
    port: input.brokerPort,
    credentials: fleet.credentials,
    hooks: {
      onPublish: (clientId, topic, payload) => {
        io.publishArrived();
        if (RegistrationBackend.isConfirmTopic(clientId, topic)) registration.handleConfirm(clientId, topic, payload);
        else ingest.handlePublish(clientId, topic, payload);
      },
      onPublishWithDone: (clientId, topic, payload, done) => {
        io.publishArrived();
        if (!RegistrationBackend.isConfirmTopic(clientId, topic)) return ingest.handlePublish(clientId, topic, payload, done);
        registration.handleConfirm(clientId, topic, payload);
        done();
      },
      onSubscribe: (clientId, filters) => registration.onSubscribe(clientId, filters),
      onDenied: (clientId, topic, payload, reason) => {
        if (reason === 'acl.publish') io.publishArrived();
        ingest.reject(clientId, topic, payload, reason, `client ${clientId}`);
      },
      onAuthFailed: () => {
        authFailures += 1;
      },
    },
  });
  cleanups.push(() => broker.close());
  logger.info(`broker listening on ${broker.url}`);
  return { ingest, broker, authFailures: () => authFailures, registration };
}
