/**
 * Topic rules of the Pebble backend (DESIGN.md, "Device format"): a device publishes only
 * under `device/<its id>/` (`data` readings, `confirm` registration) and subscribes only under
 * `backend/<its id>/` (`config`, `status`).
 */
const DEVICE_PUBLISH_SUFFIXES = new Set(['data', 'confirm']);

export function mayPublish(clientId: string, topic: string): boolean {
  const prefix = `device/${clientId}/`;
  return topic.startsWith(prefix) && DEVICE_PUBLISH_SUFFIXES.has(topic.slice(prefix.length));
}

export function maySubscribe(clientId: string, topicFilter: string): boolean {
  const prefix = `backend/${clientId}/`;
  if (!topicFilter.startsWith(prefix)) return false;
  const rest = topicFilter.slice(prefix.length);
  // `+` or `#` may only widen within the device's own subtree, which the prefix already fixes.
  return rest.length > 0;
}
