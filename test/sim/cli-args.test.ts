import { describe, expect, it } from 'vitest';
import { parseCli } from '../../sim/cli/args.ts';

describe('CLI arguments', () => {
  it('args: run with a scenario and defaults', () => {
    expect(parseCli(['run', 'scenarios/smoke.yaml'])).toEqual({
      command: 'run', scenarioFile: 'scenarios/smoke.yaml', brokerPort: undefined, rpcUrl: undefined,
      operatorKey: undefined, outDir: 'runs', cacheDir: undefined, ptauPath: undefined, fleetProcess: undefined, quiet: false,
      listen: [], attach: [], waitFor: [], waitTimeoutMs: undefined, record: false, backend: 'pinbench', observe: [], noLive: false,
    });
  });

  it('args: --no-live and --junit on run; --junit is refused where no checks run', () => {
    expect(parseCli(['run', 's.yaml', '--no-live', '--junit', 'out/run.xml'])).toMatchObject({ noLive: true, junit: 'out/run.xml' });
    expect(() => parseCli(['run', 's.yaml', '--backend', 'none', '--junit', 'x.xml'])).toThrow(
      "option --junit writes the checks of pinbench's backend, which --backend none does not run; its report.json has what the fleet saw",
    );
    expect(() => parseCli(['resume', 'runs/x', '--junit', 'x.xml'])).toThrow('option --junit does not apply to resume, which runs no fleet');
  });

  it('args: listeners, attached devices and the wait for them', () => {
    const cmd = parseCli([
      'run', 's.yaml', '--listen', 'mqtts://127.0.0.1:8883', '--listen', 'ws://127.0.0.1:0', '--attach', '356938035643809',
      '--wait-for', '352099001761481,356938035643809', '--wait-timeout', '2m', '--record',
    ]);
    expect(cmd).toMatchObject({
      listen: ['mqtts://127.0.0.1:8883', 'ws://127.0.0.1:0'], attach: ['356938035643809'], waitFor: ['352099001761481', '356938035643809'], waitTimeoutMs: 120_000, record: true,
    });
  });

  it('error: a bad IMEI or wait timeout says what is expected', () => {
    expect(() => parseCli(['run', 's.yaml', '--wait-for', '1234'])).toThrow('option --wait-for: expected IMEIs of 15 digits, comma-separated, got "1234"');
    expect(() => parseCli(['run', 's.yaml', '--wait-timeout', 'soon'])).toThrow('option --wait-timeout: expected a duration such as 120s, 5m or 500ms, got "soon"');
    expect(() => parseCli(['resume', 'runs/x', '--listen', 'mqtt://127.0.0.1:0'])).toThrow('option --listen does not apply to resume, which runs no fleet');
  });

  it('args: a team\'s broker, its credentials and TLS, the fleet-only mode and what it observes', () => {
    expect(parseCli(['run', 's.yaml', '--broker', 'mqtts://b:8883', '--broker-credentials', 'p/backend.json', '--ca', 'ca.pem', '--client-certs', 'p/certs', '--ingest-workers', '2'])).toMatchObject({
      broker: 'mqtts://b:8883', brokerCredentials: 'p/backend.json', ca: 'ca.pem', clientCerts: 'p/certs', backend: 'pinbench', ingestWorkers: 2,
    });
    expect(parseCli(['run', 's.yaml', '--broker', 'mqtt://b:1883', '--backend', 'none', '--observe', 'ack/+', '--observe', 'result/#'])).toMatchObject({ backend: 'none', observe: ['ack/+', 'result/#'] });
  });

  it('error: fleet-only and observe flags that cannot work say why', () => {
    expect(() => parseCli(['run', 's.yaml', '--backend', 'theirs'])).toThrow('option --backend: expected pinbench or none, got "theirs"');
    expect(() => parseCli(['run', 's.yaml', '--broker', 'http://b:1883'])).toThrow('option --broker: expected mqtt://, mqtts://, ws:// or wss:// and a host, e.g. mqtt://pinbench-backend:<password>@127.0.0.1:1883, got "http://b:1883"');
    expect(() => parseCli(['run', 's.yaml', '--broker', 'mqtt://b:1', '--observe', 'ack/+'])).toThrow("option --observe watches what your backend publishes back: it needs --backend none (pinbench's own backend answers nothing to observe)");
    expect(() => parseCli(['run', 's.yaml', '--broker', 'mqtt://b:1', '--backend', 'none', '--observe', 'ack/#/x'])).toThrow("option --observe \"ack/#/x\": # must be a whole level and the last one; e.g. --observe 'backend/+/ack'");
    expect(() => parseCli(['run', 's.yaml', '--broker', 'mqtt://b:1', '--backend', 'none', '--observe', 'ack/x+'])).toThrow('+ must be a whole level');
    expect(() => parseCli(['run', 's.yaml', '--ingest-workers', '2'])).toThrow('option --ingest-workers splits the traffic of your broker (--broker) between ingest processes; the embedded broker hands it to one ingest');
    expect(() => parseCli(['run', 's.yaml', '--broker', 'mqtt://b:1', '--ingest-workers', '0'])).toThrow('option --ingest-workers: expected a whole number from 1 to 64, got "0"');
    expect(() => parseCli(['resume', 'runs/x', '--broker', 'mqtt://b:1'])).toThrow('option --broker does not apply to resume, which runs no fleet');
  });

  it('args: --fleet-process picks where the fleet runs', () => {
    expect(parseCli(['run', 's.yaml', '--fleet-process', 'child'])).toMatchObject({ fleetProcess: 'child' });
    expect(parseCli(['run', 's.yaml', '--fleet-process', 'inline'])).toMatchObject({ fleetProcess: 'inline' });
  });

  it('error: a bad --fleet-process value lists the choices', () => {
    expect(() => parseCli(['run', 's.yaml', '--fleet-process', 'thread'])).toThrow(
      'option --fleet-process: expected inline, child or auto, got "thread"',
    );
  });

  it('args: options are parsed', () => {
    const cmd = parseCli(['run', 's.yaml', '--broker-port', '1883', '--rpc', 'http://127.0.0.1:8545', '--out', 'o', '--quiet']);
    expect(cmd).toMatchObject({ brokerPort: 1883, rpcUrl: 'http://127.0.0.1:8545', outDir: 'o', quiet: true });
  });

  it('args: no arguments or --help prints usage', () => {
    expect(parseCli([]).command).toBe('help');
    expect(parseCli(['--help']).command).toBe('help');
  });

  it('error: a bad port says what is expected', () => {
    expect(() => parseCli(['run', 's.yaml', '--broker-port', 'abc'])).toThrow(
      'option --broker-port: expected a port number from 1 to 65535, got "abc"',
    );
  });

  it('error: an unknown flag points at --help', () => {
    expect(() => parseCli(['run', 's.yaml', '--fast'])).toThrow(/Unknown option '--fast'.*; run `pinbench --help` for the options/);
  });

  it('error: an unknown command names the right one', () => {
    expect(() => parseCli(['go', 's.yaml'])).toThrow(
      'unknown command "go"; the commands are run, resume, device, claim, bridge, replay, provision, test, init, schema, compare, report and sweep (`pinbench --help`)',
    );
  });

  it('parses resume with its run folder and chain options', () => {
    expect(parseCli(['resume', 'runs/x', '--rpc', 'http://127.0.0.1:8545', '--operator-key', 'ab'.repeat(32), '--quiet'])).toEqual({
      command: 'resume', runDir: 'runs/x', rpcUrl: 'http://127.0.0.1:8545', operatorKey: `0x${'ab'.repeat(32)}`,
      cacheDir: undefined, ptauPath: undefined, quiet: true,
    });
  });

  it('error: resume without a run folder, or with run-only options, says what to give', () => {
    expect(() => parseCli(['resume'])).toThrow('missing run folder; try `pinbench resume runs/<time>-<scenario>`');
    expect(() => parseCli(['resume', 'runs/x', '--fleet-process', 'child'])).toThrow('option --fleet-process does not apply to resume, which runs no fleet');
  });

  it('error: a non-http RPC URL is refused', () => {
    expect(() => parseCli(['run', 's.yaml', '--rpc', 'localhost:8545'])).toThrow(
      'option --rpc: expected an http(s) URL such as http://127.0.0.1:8545, got "localhost:8545"',
    );
  });

  it('error: --operator-key without --rpc is refused', () => {
    expect(() => parseCli(['run', 's.yaml', '--operator-key', 'ab'.repeat(32)])).toThrow(
      'option --operator-key only applies with --rpc; the embedded anvil uses its own dev account',
    );
  });
});
