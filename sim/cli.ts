import { join } from 'node:path';
import { isPinbenchError } from '../core/errors.ts';
import { parseCli } from './cli/args.ts';
import { createConsoleLogger } from './logger.ts';
import { runOutputs, wantsLiveView } from './cli/run-outputs.ts';
import { runScenario } from './run/run-scenario.ts';
import { resumeRun } from './run/resume.ts';
import { parseDeviceArgs, runDeviceAdd } from './cli/device-command.ts';
import { parseClaimArgs, runClaimCommand } from './cli/claim-command.ts';
import { parseBridgeArgs, runBridgeCommand } from './cli/bridge-command.ts';
import { parseReplayArgs, runReplayCommand } from './cli/replay-command.ts';
import { parseTestArgs, runTestCommand } from './cli/test-command.ts';
import { parseSchemaArgs, runSchemaCommand } from './cli/schema-command.ts';
import { parseInitArgs, runInitCommand } from './cli/init-command.ts';
import { parseCompareArgs, runCompareCommand } from './cli/compare-command.ts';
import { parseReportArgs, runReportCommand } from './cli/report-command.ts';
import { parseSweepArgs, runSweepCommand } from './cli/sweep-command.ts';
import { fleetOnlyResultLines, runResultLines } from './cli/run-result.ts';
import { runFleetOnly } from './run/fleet-only/run-fleet-only.ts';
import { parseProvisionArgs, provisionFleet, writeProvisionCertificates, writeProvisionFiles } from './cli/provision-command.ts';
import { defaultHomeDir } from './paths.ts';
import { EXIT } from './exit-codes.ts';

/** Errors that mean nothing ran because the input was wrong: exit 2, as bad arguments. */
const BAD_INPUT_CODES = new Set(['CLI_ARGS_INVALID', 'SCENARIO_INVALID', 'SCENARIO_UNREADABLE', 'THRESHOLD_INVALID', 'BROKER_URL_INVALID', 'POLICY_INVALID', 'POLICY_AXIS_INVALID']);

/** Commands with parsers of their own: `pinbench <name> …`. */
const SUBCOMMANDS = ['device', 'claim', 'bridge', 'replay', 'provision', 'test', 'schema', 'init', 'compare', 'report', 'sweep'] as const;

/** A sweep refused before calibration (bad grid, set, flag or scenario): exit 2, nothing ran. */
const SWEEP_BAD_INPUT_CODES = new Set([...BAD_INPUT_CODES, 'POLICY_AXIS_INVALID', 'POLICY_INVALID', 'SWEEP_INVALID']);

/** Runs `device`, `claim`, `bridge`, `replay`, `provision`, `test`, `schema`, `init`, `compare`, `report` or `sweep`; PinbenchErrors become one line on stderr. */
async function runSubcommand(name: (typeof SUBCOMMANDS)[number], argv: string[]): Promise<number> {
  const stdout = (line: string) => void process.stdout.write(`${line}\n`);
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    if (name === 'device') {
      const command = parseDeviceArgs(argv);
      if ('help' in command) return void process.stdout.write(command.help), 0;
      return await runDeviceAdd(command, { stdout });
    }
    if (name === 'claim') {
      const command = parseClaimArgs(argv);
      if ('help' in command) return void process.stdout.write(command.help), 0;
      return await runClaimCommand(command, { logger: createConsoleLogger({ quiet: false, startMs: Date.now() }), stdout });
    }
    if (name === 'provision') {
      const command = parseProvisionArgs(argv);
      if ('help' in command) return void process.stdout.write(command.help), 0;
      const fleet = provisionFleet(command);
      const written = writeProvisionFiles(command, fleet);
      stdout(`wrote ${written.length} files for the fleet's broker logins:\n  ${written.join('\n  ')}`);
      const certs = await writeProvisionCertificates(command, fleet, join(defaultHomeDir(), 'ca'), (done, total) => stdout(`certificates: ${done}/${total}`));
      if (certs.length > 0) stdout(`wrote ${certs.length} certificate files (CA ${certs[0]}, client certificates in ${join(command.outDir, 'certs')}/)`);
      return 0;
    }
    if (name === 'schema') {
      const command = parseSchemaArgs(argv);
      if ('help' in command) return void process.stdout.write(command.help), 0;
      return runSchemaCommand({ stdout: (text) => void process.stdout.write(text) });
    }
    if (name === 'compare') {
      const command = parseCompareArgs(argv);
      if ('help' in command) return void process.stdout.write(command.help), 0;
      return runCompareCommand(command, { stdout });
    }
    if (name === 'report') {
      const command = parseReportArgs(argv);
      if ('help' in command) return void process.stdout.write(command.help), 0;
      for (const written of runReportCommand(command.runDir)) stdout(`wrote ${written}`);
      return 0;
    }
    if (name === 'sweep') {
      const command = parseSweepArgs(argv);
      if ('help' in command) return void process.stdout.write(command.help), 0;
      return await runSweepCommand(command, { stdout, stderr: (line) => void process.stderr.write(`${line}\n`) });
    }
    if (name === 'init') {
      const command = parseInitArgs(argv);
      if ('help' in command) return void process.stdout.write(command.help), 0;
      return runInitCommand(command, { cwd: process.cwd(), stdout });
    }
    if (name === 'test') {
      const command = parseTestArgs(argv);
      if ('help' in command) return void process.stdout.write(command.help), 0;
      return await runTestCommand(command, { logger: createConsoleLogger({ quiet: command.quiet, startMs: Date.now() }), signal: controller.signal, stdout });
    }
    if (name === 'replay') {
      const command = parseReplayArgs(argv);
      if ('help' in command) return void process.stdout.write(command.help), 0;
      return await runReplayCommand(command, { logger: createConsoleLogger({ quiet: command.quiet, startMs: Date.now() }), signal: controller.signal, stdout });
    }
    const command = parseBridgeArgs(argv);
    const quiet = command.command === 'bridge-serial' && command.quiet;
    return await runBridgeCommand(command, { logger: createConsoleLogger({ quiet, startMs: Date.now() }), signal: controller.signal, stdout: process.stdout });
  } catch (error) {
    if (!isPinbenchError(error)) throw error;
    process.stderr.write(`pinbench: ${error.message}\n`);
    if (name === 'sweep' && SWEEP_BAD_INPUT_CODES.has(error.code)) return EXIT.badInput;
    return error.code === 'CLI_ARGS_INVALID' ? 2 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** `pinbench …`: returns the process exit code (0 only when every check of the run passed). */
export async function main(argv: string[]): Promise<number> {
  // `pinbench … | head`: the reader has gone. Output is dropped from then on, but the command
  // still finishes (a run still stops its chain and writes its report) rather than dying mid-way.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  const sub = SUBCOMMANDS.find((name) => name === argv[0]);
  if (sub !== undefined) return runSubcommand(sub, argv.slice(1));
  let command;
  try {
    command = parseCli(argv);
  } catch (error) {
    process.stderr.write(`pinbench: ${(error as Error).message}\n`);
    return 2;
  }
  if (command.command === 'help') {
    process.stdout.write(command.text);
    return 0;
  }
  let muted = false;
  const logger = createConsoleLogger({ quiet: command.quiet, startMs: Date.now(), muted: () => muted });
  // First Ctrl-C stops the run cleanly (fleet, broker, chain, database); a second one exits at once.
  const controller = new AbortController();
  // `q` in the live view: the fleet stops, what closed is settled, the report is written (exit 130).
  const finish = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(130);
    logger.warn('interrupted: stopping the fleet and keeping what was accepted (Ctrl-C again to exit at once)');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    if (command.command === 'resume') {
      const resumed = await resumeRun(command.runDir, {
        rpcUrl: command.rpcUrl, operatorKey: command.operatorKey, cacheDir: command.cacheDir, ptauPath: command.ptauPath, logger,
      });
      const claims = resumed.claims === undefined ? '' : `; ${resumed.claims.claims} owners claimed`;
      const closed = resumed.epochsClosed.length === 0 ? '' : `; open epochs closed: ${resumed.epochsClosed.join(', ')}`;
      const { outcome } = resumed;
      const ok = outcome?.ok ?? (resumed.failures.length === 0 && (resumed.claims?.failures.length ?? 0) === 0);
      process.stdout.write(`${ok ? 'DONE' : 'FAIL'} resume ${command.runDir}: ${resumed.owed} proof jobs owed${closed}, ${resumed.settled} settled${claims}\n`);
      for (const failure of [...resumed.failures, ...(resumed.claims?.failures ?? [])]) process.stdout.write(`  failed: ${failure}\n`);
      for (const check of outcome?.failedChecks ?? []) process.stdout.write(`  check failed: ${check}\n`);
      if (outcome !== undefined) process.stdout.write(`report: ${join(outcome.runDir, 'report.md')} (marked resumed; also report.json)\n`);
      return outcome?.exitCode ?? (ok ? 0 : 1);
    }
    const ownBroker = {
      ...(command.broker === undefined ? {} : { broker: command.broker }),
      ...(command.brokerCredentials === undefined ? {} : { brokerCredentials: command.brokerCredentials }),
      ...(command.ca === undefined ? {} : { ca: command.ca }),
      ...(command.clientCerts === undefined ? {} : { clientCerts: command.clientCerts }),
    };
    if (command.backend === 'none') {
      const fleetOnly = await runFleetOnly(command.scenarioFile, {
        ...ownBroker, observe: command.observe, outDir: command.outDir, fleetProcess: command.fleetProcess, listen: command.listen, attach: command.attach, waitFor: command.waitFor,
        ...(command.metrics === undefined ? {} : { metrics: command.metrics }),
        logger, signal: controller.signal,
      });
      for (const line of fleetOnlyResultLines(fleetOnly)) process.stdout.write(`${line}\n`);
      return fleetOnly.exitCode;
    }
    // react and ink load in ~0.5 s: only a run that draws the view pays for them.
    const live = wantsLiveView({ isTTY: process.stdout.isTTY, env: process.env, quiet: command.quiet, noLive: command.noLive })
      ? (await import('../reports/live/index.ts')).createLiveView({ stdout: process.stdout, stdin: process.stdin, onQuit: () => finish.abort(), onInterrupt: onSignal })
      : undefined;
    const outputs = runOutputs({ live, logger, mute: (m) => void (muted = m), junit: command.junit, scenarioFile: command.scenarioFile });
    const result = await runScenario(command.scenarioFile, {
      outputs,
      finishEarly: finish.signal,
      ...(command.params === undefined ? {} : { params: command.params }),
      brokerPort: command.brokerPort,
      rpcUrl: command.rpcUrl,
      operatorKey: command.operatorKey,
      outDir: command.outDir,
      cacheDir: command.cacheDir,
      ptauPath: command.ptauPath,
      fleetProcess: command.fleetProcess,
      listen: command.listen,
      attach: command.attach,
      waitFor: command.waitFor,
      waitTimeoutMs: command.waitTimeoutMs,
      record: command.record,
      ...(command.metrics === undefined ? {} : { metrics: command.metrics }),
      ...ownBroker,
      ...(command.ingestWorkers === undefined ? {} : { ingestWorkers: command.ingestWorkers }),
      logger,
      signal: controller.signal,
    });
    for (const line of runResultLines(result)) process.stdout.write(`${line}\n`);
    if (command.junit !== undefined) process.stdout.write(`junit: ${command.junit}\n`);
    return result.exitCode;
  } catch (error) {
    if (isPinbenchError(error)) {
      process.stderr.write(`pinbench: ${error.message}\n`);
      if (typeof error.details.runDir === 'string') process.stderr.write(`partial output kept in ${error.details.runDir}\n`);
      return error.code === 'RUN_INTERRUPTED' ? EXIT.interrupted : BAD_INPUT_CODES.has(error.code) ? EXIT.badInput : EXIT.checkFailed;
    }
    process.stderr.write(`pinbench: unexpected failure: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
