import { createImeiFactory, deriveOwnerAccount } from '../../devices/index.ts';
import type { CapturedDevice } from '../capture/capture-format.ts';

/**
 * The owner keys a fresh run can hold for a capture's devices. Pinbench's own devices take IMEI
 * and owner from (seed, fleet position) (devices/identity.ts), so a device of the recording
 * fleet is found by its IMEI among the first `fleetSize` positions, and its owner's key is
 * derived and checked against the recorded owner. A real board's owner is nobody the bench can
 * sign for: it comes back in `withoutKeys`, and its rewards stay accrued for the owner to claim.
 */
export function recoverOwnerKeys(
  seed: number,
  fleetSize: number,
  devices: readonly CapturedDevice[],
): { keys: Map<string, string>; withoutKeys: Set<string> } {
  const ownerOf = new Map(devices.map((d) => [d.deviceId, d.owner.toLowerCase()]));
  const keys = new Map<string, string>();
  const imeiOf = createImeiFactory(seed);
  for (let index = 0; index < fleetSize && ownerOf.size > 0; index++) {
    const owner = ownerOf.get(imeiOf(index));
    if (owner === undefined) continue;
    ownerOf.delete(imeiOf(index));
    if (keys.has(owner)) continue;
    const account = deriveOwnerAccount(seed, index);
    if (account.address.toLowerCase() === owner) keys.set(owner, account.privateKey);
  }
  const withoutKeys = new Set(devices.map((d) => d.owner.toLowerCase()).filter((owner) => !keys.has(owner)));
  return { keys, withoutKeys };
}
