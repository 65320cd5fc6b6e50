import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from '../../core/ports.ts';
import { silentLogger } from '../../core/ports.ts';
import { PinbenchError } from '../../core/errors.ts';
import { loadScenarioFile, parseScenario, type Scenario, type ScenarioInput } from '../../scenarios/index.ts';
import { renderMarkdown, type RunReport } from '../../reports/index.ts';
import { buildCircuit, ProverPool, shutdownProver } from '../../circuits/index.ts';
import { RunStore } from '../store/run-store.ts';
import { startEmbeddedBroker, type BrokerHandle } from '../broker/embedded.ts';
import { LatencyTracker } from '../broker/latency-tracker.ts';
import { Ingest } from '../ingest/ingest.ts';
import { defaultVerifyWorkers } from '../ingest/verify-pool.ts';
import { createEpochCalendar } from '../epochs/calendar.ts';
import { assignBatches } from '../epochs/assign-batches.ts';
import { EpochCloser } from '../epochs/close-epoch.ts';
import { startPerfSampler } from '../perf/sampler.ts';
import { perfProbes } from './perf-probes.ts';
import { performanceReport } from './performance-report.ts';
import { chainStatePath, defaultCacheDir, runFolderName } from '../paths.ts';
import { SettlementPipeline } from './settlement-pipeline.ts';
import { runCleanups, ruleOf, type Cleanups } from './cleanups.ts';
import { setUpChain, type ChainSetup } from './chain-setup.ts';
import { prepareFleet, type FleetProcessMode } from '../fleet-process/placement.ts';
import { runChecks } from './checks.ts';
import { claimAllRewards } from './claims.ts';
import { buildReport } from './report-builder.ts';
import { pebbleIngestCodec } from './pebble-ingest.ts';
import { RegistrationBackend } from './registration.ts';

export interface RunOptions {
  brokerPort?: number;
  rpcUrl?: string;
  operatorKey?: string;
  outDir?: string;
  cacheDir?: string;
  ptauPath?: string;
  logger?: Logger;
  /** Aborting stops the fleet, keeps everything accepted so far in run.db and rejects with E_INTERRUPTED. */
  signal?: AbortSignal;
  /** Called once the broker is up and the fleet provisioned (tests use it to inject traffic). */
  onBrokerReady?: (info: { url: string; credentials: ReadonlyMap<string, string> }) => void | Promise<void>;
  /**
   * Where the trackers and their MQTT connections run: in this process, in a fleet process of
   * their own (one file descriptor per connection in each process), or `auto` (default): a
   * fleet process when this one could not hold both ends of every connection, or from 500.
   */
  fleetProcess?: FleetProcessMode;
}

export interface RunResult {
  ok: boolean;
  exitCode: number;
  runDir: string;
  report: RunReport;
  failedChecks: string[];
}

/**
 * Runs a scenario end to end — fleet → broker → ingest → epochs → proofs → settlement — and
 * writes runs/<time>-<scenario>/ (report.json, report.md, run.db, proofs/). Every resource
 * started is stopped again, also when a stage fails.
 */
export async function runScenario(scenarioOrFile: ScenarioInput | Scenario | string, options: RunOptions = {}): Promise<RunResult> {
  const scenario = typeof scenarioOrFile === 'string' ? loadScenarioFile(scenarioOrFile) : parseScenario(scenarioOrFile, 'scenario');
  const source = typeof scenarioOrFile === 'string' ? scenarioOrFile : '(object)';
  const logger = options.logger ?? silentLogger;
  const wallNowMs = () => performance.timeOrigin + performance.now();
  const startedAt = new Date();
  const runDir = resolve(options.outDir ?? 'runs', runFolderName(startedAt, scenario.name));
  mkdirSync(runDir, { recursive: true });
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const timingsMs: Record<string, number> = {};
  const timed = async <T>(stage: string, work: () => Promise<T>): Promise<T> => {
    const t0 = wallNowMs();
    try {
      return await work();
    } finally {
      timingsMs[stage] = Math.round(wallNowMs() - t0);
    }
  };

  const cleanups: Cleanups = [];
  const store = new RunStore(join(runDir, 'run.db'));
  cleanups.push(() => store.close());
  store.setMeta('scenario', JSON.stringify(scenario, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
  store.setMeta('started_at', startedAt.toISOString());
  logger.info(`run folder ${runDir}`);

  try {
    const { shape, params } = ruleOf(scenario);

    // Plans the fleet (a bad input stops the run before anything starts), checks capacity, and
    // places the fleet in this process or its own.
    const fleetSetup = prepareFleet({
      scenario, source, mode: options.fleetProcess ?? 'auto', wallNowMs, logPath: join(runDir, 'fleet-process.log'),
    });
    const { time } = fleetSetup;
    const { clock, io } = time;
    cleanups.push(() => time.stop());
    if (fleetSetup.placement === 'child') logger.info(`fleet of ${fleetSetup.plan.devices.length} runs in its own process (output in ${join(runDir, 'fleet-process.log')})`);

    // The circuit set-up (minutes on a first run) and the chain start do not depend on each other.
    const circuitPromise = timed('circuit', () =>
      buildCircuit({ cacheDir, batchSize: shape.batchSize, readingsPerDevice: shape.readingsPerDevice, ptauPath: options.ptauPath, logger }),
    );
    const chainStartPromise = timed('chain.start', () =>
      setUpChain.start({ rpcUrl: options.rpcUrl, operatorKey: options.operatorKey, logger, statePath: chainStatePath(runDir) }),
    );
    const [circuitResult, chainResult] = await Promise.allSettled([circuitPromise, chainStartPromise]);
    if (circuitResult.status === 'rejected') {
      // A chain started while the circuit failed must still be stopped.
      if (chainResult.status === 'fulfilled') await chainResult.value.stop();
      throw circuitResult.reason;
    }
    if (chainResult.status === 'rejected') throw chainResult.reason;
    const artifacts = circuitResult.value;
    const chainStart = chainResult.value;
    cleanups.push(() => chainStart.stop());
    logger.info(`circuit ready: ${artifacts.constraints.toLocaleString('en-US')} constraints, ${shape.batchSize} devices × ${shape.readingsPerDevice} readings per proof`);
    const chain: ChainSetup = await timed('chain.deploy', () =>
      setUpChain.deploy(chainStart, { cacheDir, verifierSolPath: artifacts.verifierSolPath, shape, params, logger }),
    );
    cleanups.push(() => chain.close());
    // What `pinbench resume` needs to find this run's chain and contracts again.
    store.setMeta('chain', JSON.stringify({ embedded: chain.embedded, rpcUrl: chain.rpcUrl, chainId: chain.chainId.toString(), addresses: chain.addresses }));

    const latency = new LatencyTracker(wallNowMs);
    const fleet = fleetSetup.createRuntime({ chain, store, latency, logger, recordLatency: (ms) => ingest.recordLatency(ms) });
    const calendarStartS = Math.ceil(clock.nowMs() / 1000);
    const calendar = createEpochCalendar(calendarStartS, scenario.epochs.lengthS, scenario.epochs.count);
    const ingest = new Ingest({
      store, codec: pebbleIngestCodec, devices: fleet.ingestDevices, calendar,
      maxClockSkewS: scenario.ingest.maxClockSkewS, simNowMs: () => clock.nowMs(), wallNowMs,
      sentAtMs: (clientId, payload) => latency.take(clientId, payload),
      onAccepted: fleet.readingAccepted,
      verifyWorkers: defaultVerifyWorkers(),
    });
    cleanups.push(() => ingest.close());
    io.addIdleCheck(() => ingest.inFlight() === 0);
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
      port: options.brokerPort,
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
    fleet.useBroker(broker.url);
    await options.onBrokerReady?.({ url: broker.url, credentials: fleet.credentials });

    const prover = new ProverPool({ artifacts, logger });
    cleanups.push(() => prover.close());
    const pipeline = new SettlementPipeline({
      artifacts, shape, params, store, proofDir: join(runDir, 'proofs'), logger, wallNowMs,
      prove: (input) => prover.prove(input),
      settle: (args) => chain.settle(args),
      isSettled: (epoch, batch) => chain.isSettled(epoch, batch),
      maxActive: 2 * prover.size,
    });
    cleanups.push(() => pipeline.cancel());
    const epochStats: Array<{ epoch: number; devices: number; readings: number; flagged: number }> = [];
    const closer = new EpochCloser(store, { params, shape, epochLengthS: scenario.epochs.lengthS, devices: () => fleet.deviceMeta() });
    const closeEpoch = async (epoch: number) => {
      // Everything that arrived before the close is finalized first; later arrivals are refused.
      await ingest.drain();
      ingest.closeEpoch(epoch);
      const { work, readings, flagged } = closer.close(epoch);
      const batches = assignBatches(work, shape.batchSize);
      epochStats.push({ epoch, devices: work.length, readings, flagged: flagged.length });
      logger.info(
        `epoch ${epoch} closed: ${readings} readings from ${work.length} devices, ${flagged.length} flagged → ${batches.length} proof batches`,
      );
      const closedAtMs = wallNowMs();
      for (const { batch, work: batchWork } of batches) pipeline.submit(epoch, batch, batchWork, closedAtMs);
    };

    // Run: start the fleet, close each epoch a grace period after its end, stop the fleet
    // at the end of the last epoch.
    const runT0 = wallNowMs();
    const perf = startPerfSampler({ intervalMs: 1000, probes: perfProbes({ fleet, ingest, broker, clock }) });
    cleanups.push(() => void perf.stop());
    const progress = setInterval(() => {
      logger.info(
        `online ${fleet.onlineCount()}/${fleet.size}, published ${fleet.publishedCount()}, accepted ${ingest.counters.accepted}, ` +
          `rejected ${ingest.counters.received - ingest.counters.accepted}`,
      );
    }, 5000);
    cleanups.push(() => clearInterval(progress));
    cleanups.push(() => fleet.stop());
    const interrupted = new Promise<never>((_resolve, reject) => {
      const onAbort = () =>
        reject(new PinbenchError('E_INTERRUPTED', `run interrupted; every reading accepted so far is kept in ${join(runDir, 'run.db')}`));
      const abort = () => {
        time.stop();
        onAbort();
      };
      if (options.signal?.aborted) abort();
      options.signal?.addEventListener('abort', abort, { once: true });
    });
    interrupted.catch(() => undefined);
    logger.info(
      `starting ${fleet.size} trackers; ${scenario.epochs.count} epochs of ${scenario.epochs.lengthS} s, ` +
        (time.mode === 'realtime' ? 'real time' : `accelerated (${scenario.time.speed === 'max' ? 'as fast as possible' : `${scenario.time.speed}×`}) from ${new Date(clock.nowMs()).toISOString()}`),
    );
    fleet.start();
    const epochsClosed = new Promise<void>((resolveAll) => {
      for (let epoch = 0; epoch < calendar.count; epoch++) {
        const closeAtMs = calendar.endOfS(epoch) * 1000 + scenario.ingest.epochGraceMs;
        time.scheduleBarrier(closeAtMs - clock.nowMs(), () => {
          const closing = io.track(closeEpoch(epoch));
          if (epoch === calendar.count - 1) void closing.then(resolveAll);
        });
      }
    });
    const lastEndMs = calendar.endOfS(calendar.count - 1) * 1000;
    await Promise.race([time.advanceTo(lastEndMs), interrupted]);
    await fleet.stop();
    await Promise.race([time.advanceTo(lastEndMs + scenario.ingest.epochGraceMs), interrupted]);
    await Promise.race([epochsClosed, interrupted]);
    clearInterval(progress);
    timingsMs['fleet.run'] = Math.round(wallNowMs() - runT0);
    const perfSummary = perf.stop();
    const { settled, failures } = await timed('settlement.drain', () => Promise.race([pipeline.drain(), interrupted]));
    await ingest.drain();
    store.flush();
    const ownerKeys = new Map(fleet.specs.map((s) => [s.ownerAddress.toLowerCase(), s.ownerPrivateKey]));
    const claims = await timed('claims', () => Promise.race([claimAllRewards({ chain, store, ownerKeys, logger }), interrupted]));

    const checks = await runChecks({ store, chain, fleet, ingest, settled, failures, claims });
    const report = buildReport({
      scenario, source, runDir, startedAt, finishedAt: new Date(), checks, timingsMs, ingest, fleet, store,
      authFailures, broker, chain, artifacts, epochStats, settled, claims, peakConnections: fleet.peakOnline(),
      performance: performanceReport({
        summary: perfSummary, timeMode: time.mode, timerLatenessMs: time.timerLateness() ?? null, childPeakRssBytes: fleet.childPeakRssBytes?.() ?? null,
      }),
    });
    writeFileSync(join(runDir, 'report.json'), JSON.stringify(report, null, 2) + '\n');
    writeFileSync(join(runDir, 'report.md'), renderMarkdown(report));
    const failedChecks = checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
    return { ok: report.ok, exitCode: report.ok ? 0 : 1, runDir, report, failedChecks };
  } catch (error) {
    if (error instanceof PinbenchError) error.details.runDir = runDir;
    throw error;
  } finally {
    await runCleanups(cleanups, logger);
    await shutdownProver();
  }
}
