import type { Logger } from '../../core/ports.ts';
import { confirmMessage, createVerifier, decodeConfirmPackage, encodeStatusPackage, ownerBytes, RegistrationStatus, type ConfirmPackage, type StatusPackage } from '../../protocol/index.ts';
import type { RejectionReason } from '../ingest/reasons.ts';
import { DEFAULT_TOPICS, filterMatches, type TopicLayout } from '../../protocol/topics.ts';
import type { DeviceConfirm, ProvisioningRecord } from '../directory/device-directory.ts';

/**
 * The backend's side of Pebble's registration exchange (devReg.c): a device that is not
 * registered subscribes under `backend/<id>/`; the backend proposes its owner on
 * `backend/<id>/status` (`{status: 1, proposer}`); the device signs owner ‖ timestamp and sends
 * a ConfirmPackage on `device/<id>/confirm`; the backend checks it, registers the device on chain
 * with the confirm and answers `{status: 2}` — or `{status: 3, reason}` for a bad confirm, after
 * which the device backs off and connects again for a new proposal.
 */

export type ConfirmRejection = Extract<RejectionReason, `confirm.${string}`>;

export type ConfirmVerdict =
  | { ok: true; confirm: ConfirmPackage }
  | { ok: false; reason: ConfirmRejection; detail: string };

/** An owner proposal sent to a device and not yet answered. */
export interface OpenProposal {
  readonly owner: Uint8Array;
  /** Backend clock when it was sent, s. */
  readonly proposedAtS: number;
}

const hex = (bytes: Uint8Array): string => `0x${Buffer.from(bytes).toString('hex')}`;

/**
 * Judges one ConfirmPackage against the open proposal: decodes, then checks the owner, the
 * timestamp (not older than the proposal and not ahead of the backend clock, each by more than
 * the skew the ingest allows readings) and the signature over sha256(owner ‖ uint32 BE
 * timestamp) with the device's key. Cheap checks first: the signature check is the costly one.
 */
export function checkConfirm(input: {
  payload: Uint8Array;
  proposal: OpenProposal;
  nowS: number;
  maxClockSkewS: number;
  verifyMessage: (message: Uint8Array, signature: Uint8Array) => boolean;
}): ConfirmVerdict {
  const { proposal, maxClockSkewS } = input;
  let confirm: ConfirmPackage;
  try {
    confirm = decodeConfirmPackage(input.payload);
  } catch (error) {
    return { ok: false, reason: 'confirm.decode', detail: (error as Error).message };
  }
  if (Buffer.compare(Buffer.from(confirm.owner), Buffer.from(proposal.owner)) !== 0) {
    return { ok: false, reason: 'confirm.owner', detail: `confirm is for owner ${hex(confirm.owner)}, the proposal was for ${hex(proposal.owner)}` };
  }
  const nowS = Math.floor(input.nowS);
  if (confirm.timestamp < proposal.proposedAtS - maxClockSkewS) {
    return {
      ok: false,
      reason: 'confirm.timestamp',
      detail: `confirm timestamp ${confirm.timestamp} is older than its proposal (${proposal.proposedAtS}) by more than ${maxClockSkewS} s`,
    };
  }
  if (confirm.timestamp > nowS + maxClockSkewS) {
    return { ok: false, reason: 'confirm.timestamp', detail: `confirm timestamp ${confirm.timestamp} is ahead of the backend clock (${nowS}) by more than ${maxClockSkewS} s` };
  }
  if (!input.verifyMessage(confirmMessage(confirm.owner, confirm.timestamp), confirm.signature)) {
    return { ok: false, reason: 'confirm.signature', detail: 'ECDSA verification of sha256(owner ‖ timestamp) failed against the device key' };
  }
  return { ok: true, confirm };
}

export interface RegistrationBackendDeps {
  /** The device directory (backend/directory/device-directory.ts). */
  registry: {
    provisioned(deviceId: string): ProvisioningRecord | undefined;
    isRegistered(deviceId: string): boolean;
    register(deviceId: string, confirm: DeviceConfirm): Promise<number>;
  };
  /** QoS 1 to one device; resolves true on its PUBACK (see BrokerHandle.deliver). */
  deliver(clientId: string, topic: string, payload: Uint8Array): Promise<boolean>;
  /** Counts and stores a refused message (the ingest's rejections). */
  reject(clientId: string, topic: string, payload: Uint8Array, reason: RejectionReason, detail: string): void;
  /** The backend clock (simulated time), ms. */
  nowMs(): number;
  /** Keeps the discrete clock from running ahead of the exchange (IoSettle.track); `chain` for the registry transaction. */
  track<T>(operation: Promise<T>, options?: { chain?: boolean }): Promise<T>;
  maxClockSkewS: number;
  logger: Logger;
  /** Where status goes and confirms arrive; default the Pebble firmware's layout. */
  topics?: TopicLayout;
  /**
   * After a device acknowledged a proposal, how long (wall ms) the exchange still counts as
   * under way without its confirm. The device's client writes the confirm before that PUBACK,
   * so this only bounds a device that never answers.
   */
  confirmGraceMs?: number;
}

export interface RegistrationCounters {
  proposed: number;
  confirmed: number;
  refused: number;
}

export class RegistrationBackend {
  readonly counters: RegistrationCounters = { proposed: 0, confirmed: 0, refused: 0 };
  private readonly proposals = new Map<string, OpenProposal & { answered: () => void }>();
  /** Confirm accepted, registry transaction under way. */
  private readonly pending = new Set<string>();
  /** Registered by confirm, but the device has not acknowledged `{status: 2}` yet. */
  private readonly unannounced = new Set<string>();
  private readonly verifiers = new Map<string, ReturnType<typeof createVerifier>>();

  constructor(private readonly deps: RegistrationBackendDeps) {}

  private get topics(): TopicLayout {
    return this.deps.topics ?? DEFAULT_TOPICS;
  }

  /** A device subscribed: an unregistered one gets an owner proposal (a registered one its missed `{status: 2}`). */
  onSubscribe(clientId: string, filters: readonly string[]): void {
    const status = this.topics.status(clientId);
    if (!filters.some((f) => filterMatches(f, status))) return;
    const record = this.deps.registry.provisioned(clientId);
    if (record === undefined || this.pending.has(clientId)) return;
    if (this.deps.registry.isRegistered(clientId)) {
      if (this.unannounced.has(clientId)) this.announce(clientId);
      return;
    }
    this.propose(record);
  }

  /**
   * A PUBLISH on `device/<id>/query`, the firmware's "am I registered?" (its payload is not
   * read): a registered device is told `{status: 2}`, an unregistered one gets an owner proposal
   * unless one is open already (the firmware subscribes, which proposes, and then queries; a
   * second proposal would draw a second confirm that could only be refused).
   */
  handleQuery(clientId: string): void {
    const record = this.deps.registry.provisioned(clientId);
    if (record === undefined || this.pending.has(clientId) || this.proposals.has(clientId)) return;
    if (this.deps.registry.isRegistered(clientId)) this.announce(clientId);
    else this.propose(record);
  }

  private propose(record: ProvisioningRecord): void {
    const { deps } = this;
    const id = record.deviceId;
    this.proposals.get(id)?.answered();
    const owner = ownerBytes(record.owner);
    const payload = encodeStatusPackage({ status: RegistrationStatus.PROPOSED, proposer: record.owner });
    this.counters.proposed += 1;
    void deps.track(
      new Promise<void>((resolve) => {
        const proposal = { owner, proposedAtS: Math.floor(deps.nowMs() / 1000), answered: resolve };
        this.proposals.set(id, proposal);
        deps.deliver(id, this.topics.status(id), payload).then((acked) => {
          if (!acked) resolve();
          else setTimeout(resolve, deps.confirmGraceMs ?? 250).unref();
        }, () => resolve());
      }),
    );
  }

  /** A PUBLISH on `device/<id>/confirm`. */
  handleConfirm(clientId: string, topic: string, payload: Uint8Array): void {
    const { deps } = this;
    const proposal = this.proposals.get(clientId);
    const record = deps.registry.provisioned(clientId);
    if (proposal === undefined || record === undefined) {
      const why = deps.registry.isRegistered(clientId) || this.pending.has(clientId) ? 'the device is already registered' : 'no owner was proposed to it';
      deps.reject(clientId, topic, payload, 'confirm.unexpected', `no open owner proposal for device ${clientId}: ${why}`);
      return;
    }
    this.proposals.delete(clientId);
    let verifier = this.verifiers.get(clientId);
    if (verifier === undefined) {
      verifier = createVerifier(record.publicKey, record.curve);
      this.verifiers.set(clientId, verifier);
    }
    const verdict = checkConfirm({ payload, proposal, nowS: deps.nowMs() / 1000, maxClockSkewS: deps.maxClockSkewS, verifyMessage: verifier.verifyMessage });
    if (!verdict.ok) {
      deps.reject(clientId, topic, payload, verdict.reason, verdict.detail);
      this.counters.refused += 1;
      // Tracked before the proposal's own wait ends, so the exchange never looks settled halfway.
      void deps.track(this.send(clientId, { status: RegistrationStatus.REFUSED, reason: `${verdict.reason}: ${verdict.detail}` }));
      proposal.answered();
      return;
    }
    const { timestamp } = verdict.confirm;
    const signature = Uint8Array.from(verdict.confirm.signature);
    this.pending.add(clientId);
    void deps.track(
      deps.registry.register(clientId, { timestamp, signature }).then(
        async () => {
          this.pending.delete(clientId);
          this.counters.confirmed += 1;
          this.unannounced.add(clientId);
          await this.announceNow(clientId);
        },
        async (error: unknown) => {
          this.pending.delete(clientId);
          deps.logger.warn(`${clientId}: registration with its confirm failed: ${(error as Error).message}`);
          await this.send(clientId, { status: RegistrationStatus.REFUSED, reason: `registry: ${(error as Error).message}` });
        },
      ),
      { chain: true },
    );
    proposal.answered();
  }

  private announce(clientId: string): void {
    void this.deps.track(this.announceNow(clientId));
  }

  private async announceNow(clientId: string): Promise<void> {
    if (await this.send(clientId, { status: RegistrationStatus.REGISTERED })) this.unannounced.delete(clientId);
  }

  private send(clientId: string, status: StatusPackage): Promise<boolean> {
    return this.deps.deliver(clientId, this.topics.status(clientId), encodeStatusPackage(status)).catch(() => false);
  }
}
