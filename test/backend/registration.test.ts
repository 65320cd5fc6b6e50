import { describe, expect, it } from 'vitest';
import { buildFleet, signDigest, type DeviceSpec } from '../../devices/index.ts';
import { confirmDigest, decodeStatusPackage, encodeConfirmPackage, ownerBytes } from '../../protocol/index.ts';
import { RegistrationBackend } from '../../backend/registration/registration-exchange.ts';
import { filterMatches } from '../../protocol/topics.ts';
import type { DeviceConfirm, ProvisioningRecord } from '../../backend/directory/device-directory.ts';

const [device, other] = buildFleet({ seed: 'registration', count: 2, uploadPeriodS: 10, motion: 'car' }) as [DeviceSpec, DeviceSpec];
const NOW_MS = Date.UTC(2026, 0, 1, 0, 10, 0);
const NOW_S = NOW_MS / 1000;
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

const recordOf = (d: DeviceSpec): ProvisioningRecord => ({
  deviceId: d.id, password: d.password, publicKey: d.publicKey, curve: d.curve, owner: d.ownerAddress, uploadPeriodS: d.uploadPeriodS,
});

function rig() {
  const registered = new Map<string, DeviceConfirm>();
  const delivered: Array<{ clientId: string; topic: string; status: ReturnType<typeof decodeStatusPackage> }> = [];
  const rejected: Array<[string, string]> = [];
  let inFlight = 0;
  let nowMs = NOW_MS;
  const backend = new RegistrationBackend({
    registry: {
      provisioned: (id) => [device, other].map(recordOf).find((r) => r.deviceId === id),
      isRegistered: (id) => registered.has(id),
      register: async (deviceId, confirm) => {
        registered.set(deviceId, confirm);
        return registered.size;
      },
    },
    deliver: async (clientId, topic, payload) => {
      delivered.push({ clientId, topic, status: decodeStatusPackage(payload) });
      return true;
    },
    reject: (_clientId, _topic, _payload, reason, detail) => void rejected.push([reason, detail]),
    nowMs: () => nowMs,
    track: (operation) => {
      inFlight += 1;
      return operation.finally(() => (inFlight -= 1));
    },
    maxClockSkewS: 300,
    logger: { info: () => undefined, warn: () => undefined, debug: () => undefined },
    confirmGraceMs: 10,
  });
  return {
    backend, registered, delivered, rejected,
    inFlight: () => inFlight,
    setNow: (ms: number) => void (nowMs = ms),
    confirm: (payload: Uint8Array) => backend.handleConfirm(device.id, `device/${device.id}/confirm`, payload),
  };
}

/** The ConfirmPackage an honest device sends: signed owner ‖ timestamp. */
function confirmOf(spec: DeviceSpec, options: { owner?: string; timestamp?: number; key?: DeviceSpec } = {}): Uint8Array {
  const owner = ownerBytes(options.owner ?? spec.ownerAddress);
  const timestamp = options.timestamp ?? NOW_S;
  const key = options.key ?? spec;
  const signature = signDigest({ curve: key.curve, privateKey: key.privateKey }, confirmDigest(owner, timestamp));
  return encodeConfirmPackage({ owner, timestamp, signature, channel: 0x17f7 }).slice();
}

describe('registration backend: owner proposal / confirm', () => {
  it('args: subscription filters that reach backend/<id>/status', () => {
    const topic = 'backend/1/status';
    expect([filterMatches('backend/1/#', topic), filterMatches('backend/1/+', topic), filterMatches(topic, topic)]).toEqual([true, true, true]);
    expect([filterMatches('backend/1/config', topic), filterMatches('backend/2/#', topic), filterMatches('backend/1/status/x', topic)]).toEqual([false, false, false]);
  });

  it('behavior: an unregistered device that subscribes gets its owner proposed; a good confirm registers it with the confirm, then {status: 2}', async () => {
    const r = rig();
    r.backend.onSubscribe(device.id, [`backend/${device.id}/#`]);
    expect(r.delivered).toEqual([{ clientId: device.id, topic: `backend/${device.id}/status`, status: { status: 1, proposer: device.ownerAddress } }]);
    expect(r.inFlight()).toBe(1);
    const payload = confirmOf(device, { timestamp: NOW_S + 2 });
    r.confirm(payload);
    await flush();
    expect(r.rejected).toEqual([]);
    expect(r.registered.get(device.id)?.timestamp).toBe(NOW_S + 2);
    expect(r.registered.get(device.id)?.signature).toEqual(payload.subarray(payload.length - 67, payload.length - 3));
    expect(r.delivered.map((d) => d.status)).toEqual([{ status: 1, proposer: device.ownerAddress }, { status: 2 }]);
    expect(r.backend.counters).toEqual({ proposed: 1, confirmed: 1, refused: 0 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(r.inFlight()).toBe(0);
    // Registered: a reconnect gets no new proposal, and a replayed confirm is refused.
    r.backend.onSubscribe(device.id, [`backend/${device.id}/#`]);
    r.confirm(payload);
    expect(r.delivered.length).toBe(2);
    expect(r.rejected).toEqual([['confirm.unexpected', `no open owner proposal for device ${device.id}: the device is already registered`]]);
  });

  it('behavior: the firmware\'s device/<id>/query gets an owner proposal while unregistered, {status: 2} once registered', async () => {
    const alone = rig();
    alone.backend.handleQuery(device.id);
    expect(alone.delivered.map((d) => d.status)).toEqual([{ status: 1, proposer: device.ownerAddress }]);
    const r = rig();
    // Subscribed and then queried, as the firmware does: the proposal the subscription drew stands, no second one.
    r.backend.onSubscribe(device.id, [`backend/${device.id}/#`]);
    r.backend.handleQuery(device.id);
    expect(r.delivered).toEqual([{ clientId: device.id, topic: `backend/${device.id}/status`, status: { status: 1, proposer: device.ownerAddress } }]);
    r.confirm(confirmOf(device));
    await flush();
    await flush();
    expect(r.registered.has(device.id)).toBe(true);
    r.delivered.length = 0;
    r.backend.handleQuery(device.id);
    await flush();
    expect(r.delivered).toEqual([{ clientId: device.id, topic: `backend/${device.id}/status`, status: { status: 2 } }]);
  });

  it('error: a confirm signed by another key is refused (confirm.signature) and the device gets {status: 3}, not registered', async () => {
    const r = rig();
    r.backend.onSubscribe(device.id, [`backend/${device.id}/#`]);
    r.confirm(confirmOf(device, { key: other }));
    await flush();
    expect(r.rejected).toEqual([['confirm.signature', 'ECDSA verification of sha256(owner ‖ timestamp) failed against the device key']]);
    expect(r.registered.size).toBe(0);
    expect(r.delivered[1]!.status).toEqual({
      status: 3,
      reason: 'confirm.signature: ECDSA verification of sha256(owner ‖ timestamp) failed against the device key',
    });
    // The device backs off and reconnects: a new proposal, and this time a good confirm.
    r.backend.onSubscribe(device.id, [`backend/${device.id}/#`]);
    r.confirm(confirmOf(device));
    await flush();
    expect(r.registered.has(device.id)).toBe(true);
  });

  it('error: a confirm for another owner is refused (confirm.owner)', async () => {
    const r = rig();
    r.backend.onSubscribe(device.id, [`backend/${device.id}/status`]);
    r.confirm(confirmOf(device, { owner: other.ownerAddress }));
    await flush();
    expect(r.rejected).toEqual([
      ['confirm.owner', `confirm is for owner ${other.ownerAddress.toLowerCase()}, the proposal was for ${device.ownerAddress.toLowerCase()}`],
    ]);
    expect(r.registered.size).toBe(0);
  });

  it('error: a malformed confirm is refused (confirm.decode)', async () => {
    const r = rig();
    r.backend.onSubscribe(device.id, [`backend/${device.id}/#`]);
    r.confirm(Uint8Array.from([0x0a, 0x02, 0x01]));
    await flush();
    expect(r.rejected[0]![0]).toBe('confirm.decode');
    expect(r.rejected[0]![1]).toMatch(/^cannot decode ConfirmPackage: /);
    expect(r.delivered[1]!.status.status).toBe(3);
    expect(r.registered.size).toBe(0);
  });

  it('error: an old (replayed) or future timestamp is refused (confirm.timestamp)', async () => {
    const r = rig();
    r.backend.onSubscribe(device.id, [`backend/${device.id}/#`]);
    r.confirm(confirmOf(device, { timestamp: NOW_S - 301 }));
    r.backend.onSubscribe(device.id, [`backend/${device.id}/#`]);
    r.confirm(confirmOf(device, { timestamp: NOW_S + 301 }));
    await flush();
    expect(r.rejected).toEqual([
      ['confirm.timestamp', `confirm timestamp ${NOW_S - 301} is older than its proposal (${NOW_S}) by more than 300 s`],
      ['confirm.timestamp', `confirm timestamp ${NOW_S + 301} is ahead of the backend clock (${NOW_S}) by more than 300 s`],
    ]);
    expect(r.registered.size).toBe(0);
  });

  it('error: a confirm without a proposal is refused (confirm.unexpected)', () => {
    const r = rig();
    r.confirm(confirmOf(device));
    expect(r.rejected).toEqual([['confirm.unexpected', `no open owner proposal for device ${device.id}: no owner was proposed to it`]]);
  });
});
