import { confirmDigest, encodeConfirmPackage, ownerBytes } from '../../protocol/codec/confirm-package.ts';
import { decodeSensorConfig } from '../../protocol/codec/sensor-config.ts';
import { compareVersions, decodeStatusPackage, RegistrationStatus } from '../../protocol/codec/status-package.ts';
import { signDigest } from '../crypto/sign.ts';
import type { MqttLink } from './ports.ts';
import { reasonOf, send, type TrackerRuntime } from './runtime.ts';
import { restartSampling } from './uploads.ts';

/** A message on `backend/<id>/…`: reported to the sink, then acted on if it is a config or status. */
export function handleDownlink(ctx: TrackerRuntime, link: MqttLink, topic: string, payload: Uint8Array): void {
  const { id } = ctx.spec;
  ctx.deps.events.received?.(id, topic, payload);
  if (ctx.link !== link) return;
  const kind = ctx.options.topics.downlinkKind(id, topic);
  try {
    if (kind === 'config') applyConfig(ctx, payload);
    else if (kind === 'status') applyStatus(ctx, link, payload);
  } catch (error) {
    ctx.deps.events.downlinkRejected?.(id, topic, reasonOf(error));
  }
}

/** `SensorConfig` fields change the live settings; absent fields keep theirs. */
function applyConfig(ctx: TrackerRuntime, payload: Uint8Array): void {
  const config = decodeSensorConfig(payload);
  const live = ctx.config;
  if (config.dataChannel !== undefined) live.dataChannel = config.dataChannel;
  if (config.bulkUpload !== undefined) live.bulkUpload = config.bulkUpload !== 0;
  if (config.bulkUploadSamplingCnt) live.burstSize = config.bulkUploadSamplingCnt;
  if (config.bulkUploadSamplingFreq !== undefined) live.pauseMs = config.bulkUploadSamplingFreq * 1000;
  if (config.uploadPeriod !== undefined && config.uploadPeriod !== live.uploadPeriodS) {
    live.uploadPeriodS = config.uploadPeriod;
    restartSampling(ctx);
  }
  ctx.deps.events.configApplied?.(ctx.spec.id, config);
}

/**
 * Registration answers while registering by the confirm exchange (proposal → signed confirm →
 * registered or refused); firmware offers newer than the running version while online.
 */
function applyStatus(ctx: TrackerRuntime, link: MqttLink, payload: Uint8Array): void {
  const status = decodeStatusPackage(payload);
  const state = ctx.service.state.value;
  const { id } = ctx.spec;
  if (state === 'registering' && ctx.confirmMode) {
    if (status.status === RegistrationStatus.PROPOSED && status.proposer !== undefined) {
      const owner = ownerBytes(status.proposer);
      const now = ctx.deps.clock.nowMs();
      const timestamp = Math.floor((now + (ctx.behaviour.clockOffsetMs?.(now) ?? 0)) / 1000);
      const signature = signDigest(ctx.source.key, confirmDigest(owner, timestamp));
      const confirm = encodeConfirmPackage({ owner, timestamp, signature, channel: ctx.config.dataChannel });
      link.publish(ctx.options.topics.confirm(id), confirm, 1).catch((error: unknown) => ctx.deps.events.publishFailed(id, `confirm: ${reasonOf(error)}`));
    } else if (status.status === RegistrationStatus.REGISTERED) {
      send(ctx, 'registration.confirmed');
    } else if (status.status === RegistrationStatus.REFUSED) {
      ctx.deps.events.registrationFailed?.(id, status.reason ?? 'refused by the backend');
      send(ctx, 'registration.failed');
    }
    return;
  }
  if (state === 'online' && status.version !== undefined && compareVersions(status.version, ctx.firmwareVersion) > 0) {
    ctx.offer = { version: status.version, size: status.size ?? 0 };
    send(ctx, 'firmware.offered');
  }
}
