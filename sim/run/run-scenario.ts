import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from '../../core/ports.ts';
import { silentLogger } from '../../core/ports.ts';
import { PinbenchError } from '../../core/errors.ts';
import { loadScenarioFile, parseScenario, type Scenario, type ScenarioInput } from '../../scenarios/index.ts';
import type { RunReport } from '../../reports/index.ts';
import { ProverPool, shutdownProver } from '../../circuits/index.ts';
import { RunStore } from '../../backend/store/run-store.ts';
import { PublishLatency } from '../mqtt/publish-latency.ts';
import { DeviceDirectory } from '../../backend/directory/device-directory.ts';
import { warnOfGiveUps } from '../clock/io-settle.ts';
import { createEpochCalendar } from '../../backend/epochs/calendar.ts';
import { performanceReport } from './performance-report.ts';
import { processesRssBytes, processRssBytes, watchMemory } from '../perf/memory-watch.ts';
import { defaultCacheDir, defaultHomeDir, runFolderName } from '../paths.ts';
import { SettlementPipeline } from '../../backend/settlement/settlement-pipeline.ts';
import { runCleanups, ruleOf, type Cleanups } from './cleanups.ts';
import { diskFullError, freeBytes, isDiskFull, reserveBytes, watchDiskSpace } from './disk-space.ts';
import { prepareFleet, type FleetProcessMode } from './fleet-placement.ts';
import { runChecks } from './checks.ts';
import { claimAllRewards } from './claims.ts';
import { buildReport } from './report-builder.ts';
import { prepareCircuitAndChain } from './stages/chain-and-circuit.ts';
import { startBackend } from '../../backend/start-backend.ts';
import { ingestCodecFor } from '../../backend/ingest/ingest-codecs.ts';
import { createEpochClosing, type EpochStat } from '../../backend/epoch-closing.ts';
import type { BackendEvents } from '../../backend/ports.ts';
import type { SettledBatch } from '../../backend/settlement/settlement-pipeline.ts';
import { driveFleet } from './stages/drive-fleet.ts';
import { scenarioDirOf } from '../fleet/fleet-plan.ts';
import { openReplays } from '../replay/replay-entries.ts';
import { recordRun } from '../capture/record-run.ts';
import { topicLayout } from '../../protocol/topics.ts';
import type { EpochCalendar } from '../../backend/epochs/calendar.ts';
import type { ReceivedPublish } from '../../backend/start-backend.ts';
import { collectAttached, provisionAttached, waitForDevices, writeAttachedCredentials } from '../attach/attach-run.ts';
import { AttachedTraffic, attachedRows } from './attached-report.ts';
import { prepareListeners } from './stages/listeners.ts';
import { startRunMetrics } from './stages/metrics.ts';
import { externalBrokerOf, refuseWithExternalBroker } from './stages/external-broker.ts';
import { probeBackendLogin } from './stages/probe-broker.ts';
import { outcomeOf, writeReportJson, type RunOutcome } from './write-report.ts';
import { EXIT } from '../exit-codes.ts';
import { checkStakeSupply, runPolicyOf, withParamSet } from './run-policy.ts';
import { circuitPolicyOf, isProRata } from '../../core/reward-policy/index.ts';
import type { RunOutput } from '../../reports/output.ts';
import { markdownOutput } from '../../reports/markdown-output.ts';
import { htmlOutput } from '../../reports/html/html-output.ts';
import { readTracks } from './report-tracks.ts';
import { progressLines } from '../../reports/progress-lines.ts';
import { inTurn, startRunStream, teeLogger, type RunStream } from './run-stream.ts';
import { runSampleSources } from './stages/sample-sources.ts';
import { metricContextOf, planThresholds } from '../thresholds/threshold-plan.ts';
import { judgeThresholds } from '../thresholds/evaluate.ts';
import { watchThresholds } from '../thresholds/watch-thresholds.ts';
import { refuseTimeline, startTimeline } from '../timeline/run-timeline.ts';

export interface RunOptions {
  /** A sweep's parameter set (`cap=50,emission=1000`) applied to the scenario's policy before anything starts. */
  params?: string;
  brokerPort?: number;
  rpcUrl?: string;
  operatorKey?: string;
  outDir?: string;
  cacheDir?: string;
  ptauPath?: string;
  logger?: Logger;
  /** Aborting stops the fleet, keeps everything accepted so far in run.db and rejects with RUN_INTERRUPTED. */
  signal?: AbortSignal;
  /** Called once the broker is up and the fleet provisioned (tests use it to inject traffic). */
  onBrokerReady?: (info: {
    url: string;
    urls: readonly string[];
    credentials: ReadonlyMap<string, string>;
    /** `<run folder>/attached/` with the attached devices' credentials files, when there are any. */
    attachedDir: string | undefined;
  }) => void | Promise<void>;
  /** Listener URLs for the embedded broker (`--listen`), beside the scenario's `broker.listen`. */
  listen?: readonly string[];
  /** IMEIs provisioned by `pinbench device add` to attach to this run (`--attach`). */
  attach?: readonly string[];
  /** Attached devices the run waits for before its clock starts (`--wait-for`); attached implicitly. */
  waitFor?: readonly string[];
  /** How long to wait for them, wall ms (default 120 s). */
  waitTimeoutMs?: number;
  /** Where the local CA and the device book live (default $PINBENCH_HOME or ~/.local/share/pinbench). */
  homeDir?: string;
  /**
   * Where the trackers and their MQTT connections run: in this process, in a fleet process of
   * their own (one file descriptor per connection in each process), or `auto` (default): a
   * fleet process when this one could not hold both ends of every connection, or from 500.
   */
  fleetProcess?: FleetProcessMode;
  /** `--record`: writes every device publish the broker receives to `<run folder>/capture.db` (sim/capture/). */
  record?: boolean;
  /** `--metrics HOST:PORT` (or a port, on loopback; 0 = a free one): serves the run's metrics in Prometheus text format at /metrics while it runs (sim/metrics/). */
  metrics?: string;
  /** Called with the metrics URL (`http://host:port/metrics`, the bound port) once it listens. */
  onMetricsReady?: (url: string) => void;
  /**
   * `--broker`: a team's broker the fleet and the backend use instead of the embedded one
   * (`mqtt://user:password@host:port`, the backend's login optional); the scenario's
   * `broker.url` says the same.
   */
  broker?: string;
  /** `--broker-credentials`: the backend's login from the `backend.json` `pinbench provision` wrote. */
  brokerCredentials?: string;
  /** `--ca`: the CA of that broker's server certificate (mqtts/wss). */
  ca?: string;
  /** `--client-certs`: the devices' and the backend's client certificates (`<username>.cert.pem`, `.key.pem`). */
  clientCerts?: string;
  /**
   * `--ingest-workers N` (with `broker`): N processes share the subscription on that broker and
   * decode and verify the uplinks; this process stays the one run.db writer (backend/ingest-workers/).
   */
  ingestWorkers?: number;
  /**
   * Who watches the run as it goes (the live terminal view, `--junit`): they hear its samples and
   * lines, and its report at the end. Default: plain progress lines through `logger`. The run
   * itself always writes report.json, report.md and report.html.
   */
  outputs?: readonly RunOutput[];
  /**
   * Aborting stops the run early as a user asks for it (`q` in the live view): the fleet stops,
   * the epochs already closing are settled, the report is written and the run exits 130.
   */
  finishEarly?: AbortSignal;
}

/**
 * Rejects with RUN_INTERRUPTED once `signal` aborts (after stopping time), so every wait can
 * race it; with the abort's own PinbenchError when it carries one (DISK_FULL).
 */
function interruption(signal: AbortSignal | undefined, stopTime: () => void, dbPath: string): Promise<never> {
  const interrupted = new Promise<never>((_resolve, reject) => {
    const abort = () => {
      stopTime();
      const reason: unknown = signal?.reason;
      reject(reason instanceof PinbenchError ? reason : new PinbenchError('RUN_INTERRUPTED', `run interrupted; every reading accepted so far is kept in ${dbPath}`));
    };
    if (signal?.aborted) abort();
    signal?.addEventListener('abort', abort, { once: true });
  });
  interrupted.catch(() => undefined);
  return interrupted;
}

export type RunResult = RunOutcome<RunReport>;

/**
 * Runs a scenario end to end — fleet → broker → ingest → epochs → proofs → settlement — and
 * writes runs/<time>-<scenario>/ (report.json, report.md, run.db, proofs/). Every resource
 * started is stopped again, also when a stage fails.
 */
export async function runScenario(scenarioOrFile: ScenarioInput | Scenario | string, options: RunOptions = {}): Promise<RunResult> {
  const source = typeof scenarioOrFile === 'string' ? scenarioOrFile : '(object)';
  const baseLogger = options.logger ?? silentLogger;
  // The run's lines also reach its outputs once they listen (a live view shows them).
  const logger = teeLogger(baseLogger);
  const outputs: RunOutput[] = [...(options.outputs ?? [progressLines((line) => baseLogger.info(line))]), markdownOutput(), htmlOutput()];
  let stream: RunStream | undefined;
  const failOutputs = async (error: unknown) => {
    // The live view gives the terminal back; a JUnit file still says what happened.
    if (stream !== undefined) await stream.fail(error as Error);
    else await inTurn(outputs, (output) => output.fail?.(error as Error), baseLogger);
  };
  const wallNowMs = () => performance.timeOrigin + performance.now();
  let scenario: Scenario;
  let thresholds: ReturnType<typeof planThresholds>;
  try {
    scenario = typeof scenarioOrFile === 'string' ? loadScenarioFile(scenarioOrFile) : parseScenario(scenarioOrFile, 'scenario');
    if (options.params !== undefined) scenario = withParamSet(scenario, options.params);
    // A threshold on a metric this run does not measure costs nothing: said before anything starts.
    thresholds = planThresholds({ entries: scenario.thresholds, context: metricContextOf(scenario), source, fleetOnly: false, logger });
  } catch (error) {
    await failOutputs(error);
    throw error;
  }
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

  // A run folder's filesystem running short of space stops the run as an interrupt does, with
  // DISK_FULL, while anvil and run.db still have room to keep what they have (disk-space.ts).
  const diskLow = new AbortController();
  const disk = watchDiskSpace({ runDir, logger, onLow: (error) => diskLow.abort(error) });
  const signal = options.signal === undefined ? diskLow.signal : AbortSignal.any([options.signal, diskLow.signal]);
  const cleanups: Cleanups = [() => disk.stop()];
  const store = new RunStore(join(runDir, 'run.db'));
  cleanups.push(() => store.close());
  store.setMeta('scenario', JSON.stringify(scenario, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
  if (options.params !== undefined) store.setMeta('params', options.params);
  store.setMeta('started_at', startedAt.toISOString());
  logger.info(`run folder ${runDir}`);

  try {
    const { shape, params } = ruleOf(scenario);
    const topics = topicLayout(scenario.topics);
    // A team's broker (--broker or broker.url) replaces the embedded one: checked before anything starts.
    const external = externalBrokerOf(scenario, source, options);
    // Real devices and listeners are checked before anything starts: a bad key or URL costs nothing.
    const waitFor = options.waitFor ?? [];
    const homeDir = options.homeDir ?? defaultHomeDir();
    const attached = collectAttached({
      scenario, scenarioFile: typeof scenarioOrFile === 'string' ? scenarioOrFile : undefined, home: homeDir, attach: [...(options.attach ?? []), ...waitFor],
    });
    if (external === undefined && options.ingestWorkers !== undefined) {
      throw new PinbenchError('CLI_ARGS_INVALID', 'ingestWorkers splits the traffic of your broker (--broker) between ingest processes; the embedded broker hands it to one ingest');
    }
    if (external !== undefined) {
      refuseWithExternalBroker(options, attached.length);
      // Unreachable, TLS that does not fit, the backend's login refused: said before the chain and circuit start.
      await probeBackendLogin(external.login);
    }
    const listeners = await prepareListeners({
      urls: [...scenario.broker.listen, ...(options.listen ?? [])], brokerPort: options.brokerPort, needCa: attached.length > 0, caDir: join(homeDir, 'ca'), logger,
    });

    // Captures to replay are opened and checked before anything starts: a damaged one costs nothing.
    const replays = openReplays({ scenario, scenarioDir: scenarioDirOf(source), source, logger });
    if (replays !== undefined) cleanups.push(() => replays.close());
    if (replays !== undefined && external !== undefined) {
      throw new PinbenchError('SCENARIO_INVALID', `${source}: a replay: entry replays its devices into the embedded broker with the capture's logins, which ${external.target.url} does not know; replay on the embedded broker`);
    }
    if (replays !== undefined && attached.length > 0) {
      throw new PinbenchError(
        'SCENARIO_INVALID',
        `${source}: a replay: entry starts the run's clock at its capture's start, where the wall-clock readings of attached devices (${attached.map((d) => d.deviceId).join(', ')}) would fall outside the run; attach real devices in a run without replay entries`,
      );
    }
    // A timeline this run cannot carry out (broker.restart on --broker, chain.restart on --rpc) is refused before anything starts.
    refuseTimeline(scenario, source, { externalBrokerUrl: external?.target.url, externalRpcUrl: options.rpcUrl, replays: replays !== undefined });
    if (replays !== undefined && options.fleetProcess === 'child') logger.warn('a run with replay: entries keeps its fleet in this process (the capture player shares its clock); --fleet-process child does not apply');
    // `--metrics`: a bad address or a port in use stops the run here, before the fleet, chain or circuit.
    const metrics = await startRunMetrics({ address: options.metrics, logger, onReady: options.onMetricsReady });
    if (metrics !== undefined) cleanups.push(() => metrics.close());
    // Plans the fleet (a bad input stops the run before anything starts), checks capacity, and
    // places the fleet in this process or its own.
    const fleetSetup = prepareFleet({
      scenario, source, mode: options.fleetProcess ?? 'auto', wallNowMs, logPath: join(runDir, 'fleet-process.log'), replays,
    });
    const { time } = fleetSetup;
    const { clock } = time;
    cleanups.push(() => time.stop());
    if (fleetSetup.placement === 'child') logger.info(`fleet of ${fleetSetup.plan.devices.length} runs in its own process (output in ${join(runDir, 'fleet-process.log')})`);

    const policy = runPolicyOf(scenario);
    const bonded = fleetSetup.plan.devices.length + attached.length;
    checkStakeSupply(policy, scenario, bonded);
    const { artifacts, chain, restartChain } = await prepareCircuitAndChain({
      shape, params, ...(policy === undefined ? {} : { policy }), runDir, cacheDir, ptauPath: options.ptauPath, rpcUrl: options.rpcUrl, operatorKey: options.operatorKey,
      devices: fleetSetup.plan.devices.length, stakedDevices: bonded, store, cleanups, timed, logger,
    });

    // The backend knows devices only through its directory: the fleet is provisioned into it
    // as any device would be, and registered on chain through it.
    const directory = new DeviceDirectory({ registry: chain, store, logger });
    const publishLatency = metrics?.publishLatency() ?? new PublishLatency();
    const ackLatency = metrics?.ackLatency() ?? new PublishLatency();
    const connectLatency = new PublishLatency();
    const fleet = fleetSetup.createRuntime({ directory, store, publishLatency, ackLatency, connectLatency, logger });
    // With devices to wait for, the epochs begin once they are online: until then the ingest has no epoch for a reading.
    const newCalendar = () => createEpochCalendar(replays?.calendarStartS ?? Math.ceil(clock.nowMs() / 1000), scenario.epochs.lengthS, scenario.epochs.count);
    let calendarNow: EpochCalendar | undefined = waitFor.length === 0 ? newCalendar() : undefined;
    const ingestCalendar = { epochOf: (timestampS: number) => calendarNow?.epochOf(timestampS) ?? null };
    // What the backend tells the bench: accepted readings (latency), closed epochs, settled batches.
    const heard = { epochs: [] as EpochStat[], settled: [] as SettledBatch[], failures: [] as string[] };
    const events: BackendEvents = {
      readingAccepted: (clientId, digest, payload, acceptedMs) => fleet.readingAccepted(clientId, digest, payload, acceptedMs),
      epochClosed: (stat) => void heard.epochs.push(stat),
      batchSettled: (batch) => void heard.settled.push(batch),
      batchFailed: (message) => void heard.failures.push(message),
    };
    const attachedTraffic = new AttachedTraffic(attached);
    // Heard of only when someone listens: every publish would otherwise pay for the hook.
    const receivedListeners: Array<(received: ReceivedPublish) => void> = attached.length > 0 ? [(r) => attachedTraffic.received(r)] : [];
    const capture = options.record ? recordRun({ runDir, scenario, fleetSize: fleetSetup.plan.devices.length, directory, logger }) : undefined;
    if (capture !== undefined) {
      cleanups.push(() => capture.close());
      receivedListeners.push(capture.append);
    }
    const registeringAttached = provisionAttached(directory, attached, logger);
    registeringAttached.catch(() => undefined);
    const backend = await startBackend({
      store, directory, calendar: ingestCalendar, maxClockSkewS: scenario.ingest.maxClockSkewS, nowMs: () => clock.nowMs(), wallNowMs, io: time.io,
      events, topics, codec: ingestCodecFor(scenario.codec),
      ...(external === undefined
        ? {}
        : {
            external: {
              login: external.login,
              clientId: `pinbench-backend-${process.pid}-${startedAt.getTime().toString(36)}`,
              ...(options.ingestWorkers === undefined ? {} : { workers: { count: options.ingestWorkers, codec: scenario.codec, logPath: join(runDir, 'ingest-workers.log') } }),
            },
          }),
      brokerPort: options.brokerPort, listen: listeners.specs, tls: listeners.tls, logger, onStarted: (stop) => cleanups.push(stop),
      ...(receivedListeners.length === 0
        ? {}
        : {
            onReceived: (received: ReceivedPublish) => {
              for (const listener of receivedListeners) listener(received);
            },
          }),
    });
    warnOfGiveUps(time.io, logger, 'the I/O of a slice on the run side');
    const { ingest, broker } = backend;
    fleet.useBroker(external?.target ?? { url: broker.url });
    const credentialsDir = await writeAttachedCredentials({ runDir, devices: attached, urls: broker.urls, topics, ca: listeners.ca, logger });
    await options.onBrokerReady?.({ url: broker.url, urls: broker.urls, credentials: directory.credentials, attachedDir: credentialsDir });

    const prover = new ProverPool({ artifacts, logger });
    cleanups.push(() => prover.close());
    const memory = watchMemory({
      fleetRss: () => fleet.childRssBytes?.(),
      chainRss: () => (chain.nodePid === undefined ? undefined : processRssBytes(chain.nodePid)),
      proverRss: () => processesRssBytes(prover.pids()),
    });
    cleanups.push(() => void memory.stop());
    const pipeline = new SettlementPipeline({
      artifacts, shape, params, ...(policy === undefined ? {} : { circuitPolicy: circuitPolicyOf(policy) }), store, proofDir: join(runDir, 'proofs'), logger, wallNowMs,
      prove: (input) => prover.prove(input),
      settle: (args) => chain.settle(args),
      isSettled: (epoch, batch) => chain.isSettled(epoch, batch),
      maxActive: 2 * prover.size,
      events,
    });
    cleanups.push(() => pipeline.cancel());
    const epochs = createEpochClosing({
      store, ingest, pipeline, shape, params, ...(policy === undefined ? {} : { policy, openEpoch: (book) => chain.openEpoch(book) }), epochLengthS: scenario.epochs.lengthS, devices: () => directory.deviceMeta(), wallNowMs, logger, events,
    });
    // A slice waits while a close is under way; each page it summarizes and each proof job it builds is progress.
    time.io.addPending('an epoch close under way', () => epochs.closeWork());
    cleanups.push(() => epochs.idle());
    metrics?.watch({ scenarioName: scenario.name, time, wallNowMs, fleet, backend, store, heard, chain, prover });

    const interrupted = interruption(signal, () => time.stop(), join(runDir, 'run.db'));
    await Promise.race([registeringAttached, interrupted]);
    await waitForDevices({
      ids: waitFor, isOnline: (id) => broker.isConnected(id) === true, timeoutMs: options.waitTimeoutMs ?? 120_000, credentialsDir, interrupted, logger, wallNowMs,
    });
    const calendar = (calendarNow ??= newCalendar());
    capture?.describeCalendar(calendar);
    const runT0 = wallNowMs();
    stream = startRunStream({
      start: {
        scenario: { name: scenario.name, seed: scenario.seed, devices: fleetSetup.plan.devices.length, epochs: calendar.count, epochLengthS: calendar.lengthS },
        runDir, timeMode: time.mode, startSimMs: calendar.startS * 1000, endSimMs: calendar.endOfS(calendar.count - 1) * 1000,
      },
      sources: runSampleSources({ time, calendar, fleet, ingest, broker, store, publishLatency, pipeline, settled: heard.settled, attached, attachedTraffic }),
      outputs, lines: logger, logger: baseLogger, wallNowMs,
    });
    const userStop = new Promise<void>((resolveStop) => {
      if (options.finishEarly?.aborted) resolveStop();
      options.finishEarly?.addEventListener('abort', () => resolveStop(), { once: true });
    });
    const timeline = startTimeline({ scenario, source, startMs: calendar.startS * 1000, time, fleet, brokerOutage: backend.brokerOutage, restartChain, logger });
    const watch = watchThresholds({
      planned: thresholds, time, logger,
      counters: () => ({ published: fleet.publishedCount(), received: ingest.counters.received, accepted: ingest.counters.accepted, rejected: ingest.counters.rejected, authFailures: backend.authFailures() }),
    });
    cleanups.push(() => watch.stop());
    const perfSummary = await driveFleet({
      scenario, time, calendar, fleet, ingest, broker, closeEpoch: epochs.closeEpoch, interrupted, stopEarly: Promise.race([watch.lost, userStop]), cleanups, logger,
    });
    const stoppedByUser = options.finishEarly?.aborted === true && watch.abort() === undefined;
    if (stoppedByUser) logger.warn('stopped by the user: the epochs that closed are settled and the report written; the rest stay open in run.db');
    watch.stop();
    stream.phase('settling');
    timingsMs['fleet.run'] = Math.round(wallNowMs() - runT0);
    capture?.finish();
    // A chain restart still under way would leave the last settlements waiting in the sender.
    if (timeline !== undefined) await Promise.race([timeline.chainSettled(), interrupted]);
    await timed('settlement.drain', () => Promise.race([pipeline.drain(), interrupted]));
    const { settled, failures } = heard;
    await ingest.drain();
    store.flush();
    const ownerKeys = new Map([...fleet.specs.map((s) => [s.ownerAddress.toLowerCase(), s.ownerPrivateKey] as const), ...(replays?.ownerKeys ?? [])]);
    const ownersClaimingThemselves = new Set([...attached.map((d) => d.owner.toLowerCase()), ...(replays?.ownersWithoutKeys ?? [])]);
    stream.phase('claiming');
    const claims = await timed('claims', () => Promise.race([claimAllRewards({ chain, store, ownerKeys, ownersClaimingThemselves, logger }), interrupted]));

    const checks = await runChecks({
      store, chain, fleet, ingest, settled, failures, claims, proRata: policy !== undefined && isProRata(policy),
      ...(policy?.stake === undefined ? {} : { stake: policy.stake }), externalBroker: external?.target.url,
    });
    const report = buildReport({
      scenario, source, runDir, startedAt, finishedAt: new Date(), checks, timingsMs, ingest, fleet, store, latencyMs: publishLatency.summary(), ackLatencyMs: ackLatency.summary(), connectMs: connectLatency.summary(),
      authFailures: backend.authFailures(), refusedLogins: backend.authFailuresByReason(), takeovers: backend.takeovers, listeners: external === undefined ? broker.urls : [],
      attached: attachedRows({ devices: attached, traffic: attachedTraffic, directory, store, claims, broker }), registration: backend.registration.counters, broker, chain, artifacts, epochStats: heard.epochs, settled, claims, peakConnections: fleet.peakOnline(),
      performance: performanceReport({
        summary: perfSummary, timeMode: time.mode, timerLatenessMs: time.timerLateness() ?? null, childPeakRssBytes: fleet.childPeakRssBytes?.() ?? null,
        memory: memory.stop(),
      }),
    });
    if (timeline !== undefined) report.events = timeline.report();
    // The report's timeline is the stream every output heard, from the fleet's start to the report.
    report.performance.timeline = [...stream.close()];
    if (stoppedByUser) report.stoppedByUser = { atSimS: Math.floor(clock.nowMs() / 1000), epochsOpen: openEpochsOf(calendar, heard.epochs) };
    judgeThresholds(thresholds, report, watch.abort());
    writeReportJson(runDir, report);
    // The map's tracks, downsampled from run.db's readings (report.html's size stays small at 10,000 devices).
    const tracks = readTracks(store.db, { attached: attached.map((d) => d.deviceId) });
    await stream.report({ report, runDir, tracks, stoppedByUser });
    const outcome = outcomeOf(runDir, report);
    return stoppedByUser ? { ...outcome, ok: false, exitCode: EXIT.interrupted } : outcome;
  } catch (caught) {
    // A write that found the disk full before the watch saw it coming: the same line and advice.
    const error = isDiskFull(caught) ? diskFullError(runDir, freeBytes(runDir), reserveBytes(runDir), 'run') : caught;
    if (error instanceof PinbenchError) error.details.runDir = runDir;
    await failOutputs(error);
    throw error;
  } finally {
    await runCleanups(cleanups, logger);
    await shutdownProver();
  }
}

/** Epochs of the calendar the run did not close (a stop by the user leaves them open). */
function openEpochsOf(calendar: EpochCalendar, closed: readonly EpochStat[]): number[] {
  const done = new Set(closed.map((c) => c.epoch));
  return Array.from({ length: calendar.count }, (_, epoch) => epoch).filter((epoch) => !done.has(epoch));
}
