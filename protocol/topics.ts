/**
 * The topic layout of the Pebble backend, in one place (the Pebble firmware's topics, as
 * docs/architecture.md, "Wire format", lists them): a device publishes its readings on
 * `device/<id>/data` and its registration confirm on `device/<id>/confirm`, and receives the
 * backend's `backend/<id>/config` (SensorConfig) and `backend/<id>/status` downlinks. The ACL rule
 * follows from the same layout: a device publishes only under `device/<its id>/` and subscribes
 * only under `backend/<its id>/`.
 */

/** Where a device publishes its signed readings. */
export const dataTopic = (deviceId: string): string => `device/${deviceId}/data`;
/** Where a device publishes its ConfirmPackage during registration. */
export const confirmTopic = (deviceId: string): string => `device/${deviceId}/confirm`;
/** The backend's registration status and firmware offers to one device. */
export const statusTopic = (deviceId: string): string => `backend/${deviceId}/status`;
/** The backend's SensorConfig downlink to one device. */
export const configTopic = (deviceId: string): string => `backend/${deviceId}/config`;
/** Everything the backend sends one device: what a device subscribes to. */
export const downlinkFilter = (deviceId: string): string => `${downlinkPrefix(deviceId)}#`;
/** The prefix of every downlink topic of one device; what follows it names the downlink. */
export const downlinkPrefix = (deviceId: string): string => `backend/${deviceId}/`;

const DEVICE_PUBLISH_SUFFIXES = new Set(['data', 'confirm']);

export function mayPublish(clientId: string, topic: string): boolean {
  const prefix = `device/${clientId}/`;
  return topic.startsWith(prefix) && DEVICE_PUBLISH_SUFFIXES.has(topic.slice(prefix.length));
}

export function maySubscribe(clientId: string, topicFilter: string): boolean {
  const prefix = downlinkPrefix(clientId);
  if (!topicFilter.startsWith(prefix)) return false;
  const rest = topicFilter.slice(prefix.length);
  // `+` or `#` may only widen within the device's own subtree, which the prefix already fixes.
  return rest.length > 0;
}

/** Whether `filter` (a granted subscription) receives messages on `topic` [MQTT-4.7.1-2, MQTT-4.7.1-3]. */
export function filterMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length || (f[i] !== '+' && f[i] !== t[i])) return false;
  }
  return f.length === t.length;
}
