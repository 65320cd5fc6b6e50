import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { externalBrokerOf, resolveExternalBroker } from '../../sim/run/stages/external-broker.ts';
import { connectFailureReason } from '../../backend/broker/connect-failure.ts';

describe("a team's broker as given on the command line or in the scenario", () => {
  const dir = mkdtempSync(join(tmpdir(), 'pinbench-external-'));

  it("unit: the backend's login comes from the URL, else the credentials file; the devices' URL carries none", () => {
    const inUrl = resolveExternalBroker({ url: 'mqtt://pinbench-backend:p%40ss@127.0.0.1:1883' });
    expect(inUrl.target).toEqual({ url: 'mqtt://127.0.0.1:1883' });
    expect(inUrl.login).toEqual({ url: 'mqtt://127.0.0.1:1883', username: 'pinbench-backend', password: 'p@ss' });
    writeFileSync(join(dir, 'backend.json'), '{ "username": "b", "password": "s" }');
    expect(resolveExternalBroker({ url: 'ws://broker:8080/mqtt', credentialsFile: join(dir, 'backend.json') }).login).toEqual({ url: 'ws://broker:8080/mqtt', username: 'b', password: 's' });
    expect(resolveExternalBroker({ url: 'mqtt://127.0.0.1:1883' }).login).toEqual({ url: 'mqtt://127.0.0.1:1883' });
  });

  it('unit: the scenario says the same, its paths relative to the scenario file', () => {
    writeFileSync(join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n');
    const fromScenario = externalBrokerOf({ broker: { url: 'mqtts://b:8883', ca: 'ca.pem' } }, join(dir, 's.yaml'), {});
    expect(fromScenario?.target.caPem).toContain('BEGIN CERTIFICATE');
    expect(externalBrokerOf({ broker: {} }, join(dir, 's.yaml'), {})).toBeUndefined();
    expect(externalBrokerOf({ broker: { url: 'mqtt://a:1' } }, join(dir, 's.yaml'), { broker: 'mqtt://b:2' })?.target.url).toBe('mqtt://b:2');
  });

  it('error: a bad URL, credentials file, CA or flag without --broker says what to give', () => {
    expect(() => resolveExternalBroker({ url: 'http://b:1883' })).toThrow('broker "http://b:1883": expected mqtt://, mqtts://, ws:// or wss://, got http://');
    expect(() => resolveExternalBroker({ url: 'not a url' })).toThrow('broker "not a url" is not a URL; e.g. --broker mqtt://pinbench-backend:<password>@127.0.0.1:1883');
    writeFileSync(join(dir, 'bad.json'), '{ "user": "b" }');
    expect(() => resolveExternalBroker({ url: 'mqtt://b:1', credentialsFile: join(dir, 'bad.json') })).toThrow('must hold { "username": "...", "password": "..." } as `pinbench provision` writes it');
    expect(() => resolveExternalBroker({ url: 'mqtt://b:1', caFile: join(dir, 'ca.pem') })).toThrow('option --ca names the CA of a TLS broker, but mqtt://b:1 is not mqtts:// or wss://');
    writeFileSync(join(dir, 'notpem.txt'), 'hello');
    expect(() => resolveExternalBroker({ url: 'mqtts://b:1', caFile: join(dir, 'notpem.txt') })).toThrow('is not a PEM file (no -----BEGIN line)');
    expect(() => resolveExternalBroker({ url: 'mqtts://b:1', clientCertDir: join(dir, 'nope') })).toThrow('option --client-certs: no folder');
    expect(() => externalBrokerOf({ broker: {} }, 's.yaml', { ca: 'ca.pem' })).toThrow("option --ca is for a team's broker: give --broker <url> too");
  });

  it('unit: connection failures are counted by a short reason', () => {
    expect(connectFailureReason(Object.assign(new Error('Connection refused: Not authorized'), { code: 5 }))).toBe('connack.not-authorized');
    expect(connectFailureReason(Object.assign(new Error('x'), { code: 135 }))).toBe('connack.not-authorized');
    expect(connectFailureReason(Object.assign(new Error('x'), { code: 4 }))).toBe('connack.bad-username-or-password');
    expect(connectFailureReason(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe('unreachable');
    expect(connectFailureReason(Object.assign(new Error('x'), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' }))).toBe('tls.name-mismatch');
    expect(connectFailureReason(Object.assign(new Error('x'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' }))).toBe('tls.untrusted-server');
    expect(connectFailureReason(new Error('connack timeout'))).toBe('timeout');
  });
});
