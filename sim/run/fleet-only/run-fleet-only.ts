import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PinbenchError } from '../../../core/errors.ts';
import { silentLogger, type Logger } from '../../../core/ports.ts';
import { loadScenarioFile, parseScenario, type Scenario, type ScenarioInput } from '../../../scenarios/index.ts';
import { renderFleetOnlyMarkdown } from '../../../reports/fleet-only-markdown.ts';
import type { FleetOnlyReport, ReportCheck } from '../../../reports/types.ts';
import { RunStore } from '../../../backend/store/run-store.ts';
import { PublishLatency } from '../../mqtt/publish-latency.ts';
import { runFolderName } from '../../paths.ts';
import { prepareFleet, type FleetProcessMode } from '../fleet-placement.ts';
import { runCleanups, type Cleanups } from '../cleanups.ts';
import { externalBrokerOf, refuseWithExternalBroker } from '../stages/external-broker.ts';
import { startPerfSampler } from '../../perf/sampler.ts';
import { TRACKER_STATES } from '../perf-probes.ts';
import { performanceReport } from '../performance-report.ts';
import { ResponseObserver } from '../../observe/response-observer.ts';
import { PINBENCH_VERSION } from '../../version.ts';
import { startRunMetrics } from '../stages/metrics.ts';
import { fleetOnlyEnrolment } from './fleet-only-enrolment.ts';
import { probeDeviceLogin } from '../stages/probe-broker.ts';
import { metricContextOf, planThresholds } from '../../thresholds/threshold-plan.ts';
import { judgeThresholds } from '../../thresholds/evaluate.ts';
import { writeReport, type RunOutcome } from '../write-report.ts';

export interface FleetOnlyOptions {
  /** The team's broker (as `--broker`; else the scenario's `broker.url`). */
  broker?: string;
  brokerCredentials?: string;
  ca?: string;
  clientCerts?: string;
  /** `--observe`: topic filters the team's backend answers on. */
  observe?: readonly string[];
  outDir?: string;
  fleetProcess?: FleetProcessMode;
  metrics?: string;
  onMetricsReady?: (url: string) => void;
  listen?: readonly string[];
  attach?: readonly string[];
  waitFor?: readonly string[];
  logger?: Logger;
  signal?: AbortSignal;
  /** How long after the fleet stopped answers are still waited for, wall ms (default 2,000). */
  answerGraceMs?: number;
}

export type FleetOnlyResult = RunOutcome<FleetOnlyReport>;

/** Without a backend no one proposes an owner: every device is taken as registered (the team's backend knows it by its credentials). */
function withoutRegistration(scenario: Scenario): Scenario {
  return { ...scenario, fleet: scenario.fleet.map((group) => ('registration' in group ? { ...group, registration: 'registrar' as const } : group)) };
}

/**
 * `pinbench run … --broker URL --backend none`: the fleet alone against a team's broker and
 * backend. Every tracker connects and publishes there as in a full run; pinbench measures what
 * the devices see — connects and refusals by CONNACK reason, publish → PUBACK, lost connections
 * and buffering — and, with `--observe`, what the team's backend publishes back, timed against
 * the reading it answers. No ingest, proof or chain runs, so the checks on them are left out.
 */
export async function runFleetOnly(scenarioOrFile: ScenarioInput | Scenario | string, options: FleetOnlyOptions = {}): Promise<FleetOnlyResult> {
  const scenario = typeof scenarioOrFile === 'string' ? loadScenarioFile(scenarioOrFile) : parseScenario(scenarioOrFile, 'scenario');
  const source = typeof scenarioOrFile === 'string' ? scenarioOrFile : '(object)';
  const logger = options.logger ?? silentLogger;
  const wallNowMs = () => performance.timeOrigin + performance.now();
  const external = externalBrokerOf(scenario, source, options);
  const thresholds = planThresholds({ entries: scenario.thresholds, context: metricContextOf(scenario), source, fleetOnly: true, logger });
  if (external === undefined) {
    throw new PinbenchError('CLI_ARGS_INVALID', '--backend none runs the fleet against your own broker: give --broker <url> (or broker.url in the scenario)');
  }
  refuseWithExternalBroker(options, scenario.attached.length);
  if (scenario.fleet.some((group) => 'replay' in group)) {
    throw new PinbenchError('SCENARIO_INVALID', `${source}: a replay: entry replays devices into the embedded broker with the capture's logins; --backend none runs the scenario's own fleet only`);
  }
  const startedAt = new Date();
  const runDir = resolve(options.outDir ?? 'runs', runFolderName(startedAt, scenario.name));
  mkdirSync(runDir, { recursive: true });
  const timingsMs: Record<string, number> = {};
  const cleanups: Cleanups = [];
  const store = new RunStore(join(runDir, 'run.db'));
  cleanups.push(() => store.close());
  store.setMeta('scenario', JSON.stringify(scenario, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
  store.setMeta('started_at', startedAt.toISOString());
  store.setMeta('mode', 'fleet-only');
  logger.info(`run folder ${runDir}`);
  try {
    const metrics = await startRunMetrics({ address: options.metrics, logger, onReady: options.onMetricsReady });
    if (metrics !== undefined) cleanups.push(() => metrics.close());
    const fleetScenario = withoutRegistration(scenario);
    const setup = prepareFleet({ scenario: fleetScenario, source, mode: options.fleetProcess ?? 'auto', wallNowMs, logPath: join(runDir, 'fleet-process.log') });
    const { time, plan } = setup;
    cleanups.push(() => time.stop());
    // Unreachable, a TLS name that does not fit, an untrusted certificate: said now, not by every device.
    await probeDeviceLogin({ target: external.target, login: plan.devices[0]?.spec, logger });

    const deviceIds = new Set(plan.devices.map((d) => d.spec.id));
    const observe = options.observe ?? [];
    const observer =
      observe.length === 0
        ? undefined
        : await ResponseObserver.connect({ login: external.login, clientId: `pinbench-observer-${process.pid}-${startedAt.getTime().toString(36)}`, filters: observe, deviceIds, wallNowMs, logger });
    if (observer !== undefined) cleanups.push(() => observer.close());
    const ackLatency = metrics?.ackLatency() ?? new PublishLatency();
    const connectLatency = new PublishLatency();
    const fleet = setup.createRuntime({
      enrolment: (p) =>
        fleetOnlyEnrolment({
          plan: p, store, io: time.io,
          onAcknowledged: (deviceId, digest, reading) => observer?.readingSent(deviceId, Buffer.from(digest).toString('hex'), reading?.timestampS ?? -1, reading?.sentMs ?? -1),
        }),
      store, publishLatency: new PublishLatency(), ackLatency, connectLatency, logger,
    });
    metrics?.watch({ scenarioName: scenario.name, time, wallNowMs, fleet, store });
    fleet.useBroker(external.target);

    const { clock } = time;
    const startS = Math.ceil(clock.nowMs() / 1000);
    const endMs = (startS + scenario.epochs.count * scenario.epochs.lengthS) * 1000;
    const perf = startPerfSampler({
      intervalMs: 1000,
      probes: {
        simTimeS: () => Math.floor(clock.nowMs() / 1000),
        connections: () => fleet.onlineCount(),
        published: () => fleet.publishedCount(),
        // Without an ingest, acknowledged is as far as a reading can be followed.
        accepted: () => fleet.publishedCount(),
        rejected: () => 0,
        ...Object.fromEntries(TRACKER_STATES.map((state) => [`state.${state}`, () => fleet.stateCount(state)])),
      },
    });
    cleanups.push(() => void perf.stop());
    const progress = setInterval(() => logger.info(`online ${fleet.onlineCount()}/${fleet.size}, acknowledged ${fleet.publishedCount()}`), 5000);
    cleanups.push(() => clearInterval(progress));
    cleanups.push(() => fleet.stop());
    const interrupted = new Promise<never>((_resolve, reject) => {
      const abort = () => {
        time.stop();
        reject(new PinbenchError('RUN_INTERRUPTED', `run interrupted; what the devices published so far is kept in ${join(runDir, 'run.db')}`));
      };
      if (options.signal?.aborted) abort();
      options.signal?.addEventListener('abort', abort, { once: true });
    });
    interrupted.catch(() => undefined);
    logger.info(`starting ${fleet.size} trackers against ${external.target.url} for ${scenario.epochs.count} × ${scenario.epochs.lengthS} s (fleet only, no backend of pinbench's)`);
    const t0 = wallNowMs();
    fleet.start();
    await Promise.race([time.advanceTo(endMs), interrupted]);
    await Promise.race([fleet.stop(), interrupted]);
    timingsMs['fleet.run'] = Math.round(wallNowMs() - t0);
    clearInterval(progress);
    // Answers to the last readings are still on their way.
    if (observer !== undefined) await new Promise((r) => setTimeout(r, options.answerGraceMs ?? 2000));
    const perfSummary = perf.stop();
    store.flush();

    const observed = observer?.summary() ?? null;
    const connections = fleet.connections();
    const incidents = fleet.incidents();
    const checks: ReportCheck[] = [
      { name: 'readings acknowledged', ok: fleet.publishedCount() > 0, detail: `${fleet.publishedCount()} readings acknowledged by ${external.target.url} (PUBACK)` },
    ];
    if (observed !== null) {
      const silent = observed.filters.filter((f) => f.messages === 0).map((f) => `'${f.filter}'`);
      checks.push({
        name: 'answers observed',
        ok: silent.length === 0,
        detail:
          silent.length === 0
            ? `${observed.responses} answers from your backend, ${observed.matched} matched to a reading`
            : `--observe ${silent.join(', ')} matched no message in the run: check that your backend publishes there and that the login the run used (${external.login.username ?? 'none'}) may read it`,
      });
      if (silent.length > 0) logger.warn(checks.at(-1)!.detail);
    }
    const report: FleetOnlyReport = {
      mode: 'fleet-only',
      pinbench: { version: PINBENCH_VERSION },
      scenario: { name: scenario.name, seed: scenario.seed, source, devices: fleet.size, epochs: scenario.epochs.count, epochLengthS: scenario.epochs.lengthS },
      runDir,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      ok: checks.every((c) => c.ok),
      checks,
      timingsMs,
      broker: { url: external.target.url, peakConnections: fleet.peakOnline(), connects: connections.connects, refusedConnects: connections.refused, connectionsLost: incidents.connectionsLost },
      counts: { published: fleet.publishedCount(), publishFailed: incidents.publishFailed, bufferDropped: incidents.bufferDropped },
      ackLatencyMs: ackLatency.summary(),
      connectMs: connectLatency.summary(),
      observed,
      performance: performanceReport({ summary: perfSummary, timeMode: time.mode, timerLatenessMs: time.timerLateness() ?? null, childPeakRssBytes: fleet.childPeakRssBytes?.() ?? null }),
    };
    judgeThresholds(thresholds, report);
    return writeReport(runDir, report, renderFleetOnlyMarkdown);
  } catch (error) {
    if (error instanceof PinbenchError) error.details.runDir = runDir;
    throw error;
  } finally {
    await runCleanups(cleanups, logger);
  }
}
