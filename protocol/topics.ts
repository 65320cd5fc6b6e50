import { PinbenchError } from '../core/errors.ts';

/**
 * The topic layout of the Pebble backend, in one place, and the ACL rule that follows from it.
 * By default it is the Pebble firmware's (docs/architecture.md, "Wire format"): a device
 * publishes its readings on `device/<id>/data`, its registration confirm on
 * `device/<id>/confirm` and its registration query on `device/<id>/query`, and receives the
 * backend's `backend/<id>/status` and `backend/<id>/config` downlinks. A scenario's `topics:`
 * section may name other templates (`{id}` stands for the device id, as one whole level), so a
 * team whose devices use other topics can still join the run; docs/topics.md lists them.
 */

/** Where each kind of message goes; `{id}` is replaced by the device id (its IMEI). */
export interface TopicTemplates {
  /** Device → backend: a signed BinPackage with a reading. */
  readonly data: string;
  /** Device → backend: the ConfirmPackage answering an owner proposal. */
  readonly confirm: string;
  /** Device → backend: "am I registered?", answered on the status topic. */
  readonly query: string;
  /** Backend → device: the JSON status (owner proposal, registered, refused, firmware offer). */
  readonly status: string;
  /** Backend → device: a SensorConfig. */
  readonly config: string;
}

export const DEFAULT_TOPIC_TEMPLATES: TopicTemplates = Object.freeze({
  data: 'device/{id}/data',
  confirm: 'device/{id}/confirm',
  query: 'device/{id}/query',
  status: 'backend/{id}/status',
  config: 'backend/{id}/config',
});

export type UplinkKind = 'data' | 'confirm' | 'query';
export type DownlinkKind = 'status' | 'config';
const UPLINKS: readonly UplinkKind[] = ['data', 'confirm', 'query'];
const DOWNLINKS: readonly DownlinkKind[] = ['status', 'config'];
export const TOPIC_KINDS: ReadonlyArray<keyof TopicTemplates> = [...UPLINKS, ...DOWNLINKS];

export interface TopicLayout {
  readonly templates: TopicTemplates;
  /** The topic of one kind of message of one device. */
  topic(kind: keyof TopicTemplates, deviceId: string): string;
  data(deviceId: string): string;
  confirm(deviceId: string): string;
  query(deviceId: string): string;
  status(deviceId: string): string;
  config(deviceId: string): string;
  /** What a device subscribes to: one filter over its downlinks where the layout allows, else each downlink. */
  downlinkFilters(deviceId: string): string[];
  /** Which uplink a device's publish is, if it is one of its own. */
  uplinkKind(deviceId: string, topic: string): UplinkKind | undefined;
  /**
   * Whose uplink a topic is, read from the topic alone: what a backend that is a client of
   * another broker has to go by (that broker's ACL vouches that only the device publishes there).
   */
  uplinkOf(topic: string): { deviceId: string; kind: UplinkKind } | undefined;
  /** One subscription filter per uplink kind, `{id}` as `+`: what a backend subscribes to, e.g. `device/+/data`. */
  uplinkFilters(): string[];
  /** Which downlink a message to a device is, if it is one of its own. */
  downlinkKind(deviceId: string, topic: string): DownlinkKind | undefined;
  /** The ACL rule for publishes: a device publishes only its own uplinks. */
  mayPublish(deviceId: string, topic: string): boolean;
  /** The ACL rule for subscriptions: a device subscribes only within its own downlinks. */
  maySubscribe(deviceId: string, topicFilter: string): boolean;
}

const ID = '{id}';

function invalid(kind: string, template: unknown, why: string): PinbenchError {
  return new PinbenchError('TOPICS_INVALID', `topics.${kind}: ${why}, got ${JSON.stringify(template)}; see docs/topics.md`, {
    details: { kind, template },
  });
}

function checkTemplate(kind: string, template: unknown): string {
  if (typeof template !== 'string' || template.length === 0) throw invalid(kind, template, 'expected a topic template such as "device/{id}/data"');
  const levels = template.split('/');
  if (levels.filter((level) => level === ID).length !== 1) throw invalid(kind, template, 'expected {id} exactly once, as a whole topic level');
  if (levels.some((level) => level !== ID && (level.includes('{') || level.includes('}')))) throw invalid(kind, template, 'only {id} may stand in braces');
  if (/[+#\u0000]/.test(template)) throw invalid(kind, template, 'a topic may not hold the wildcards + or #');
  if (template.startsWith('$')) throw invalid(kind, template, 'topics starting with $ are the broker\'s own');
  return template;
}

/**
 * The level prefix shared by both downlinks up to and including `{id}`'s level, e.g. `backend/{id}/`:
 * a device may then subscribe to `backend/<id>/#`. undefined when the downlinks share no such prefix.
 */
function downlinkPrefixTemplate(t: TopicTemplates): string | undefined {
  const a = t.status.split('/');
  const b = t.config.split('/');
  const shared: string[] = [];
  for (let i = 0; i < Math.min(a.length, b.length) - 1 && a[i] === b[i]; i++) shared.push(a[i]!);
  if (!shared.includes(ID)) return undefined;
  return `${shared.join('/')}/`;
}

/** The layout of `templates` over the default's; throws TOPICS_INVALID for a template that cannot work. */
export function topicLayout(overrides: Partial<TopicTemplates> = {}): TopicLayout {
  const templates: TopicTemplates = { ...DEFAULT_TOPIC_TEMPLATES, ...overrides };
  for (const kind of TOPIC_KINDS) checkTemplate(kind, templates[kind]);
  const seen = new Map<string, string>();
  for (const kind of TOPIC_KINDS) {
    const other = seen.get(templates[kind]);
    if (other !== undefined) throw invalid(kind, templates[kind], `the same topic as topics.${other}; give each kind its own topic`);
    seen.set(templates[kind], kind);
  }
  const fill = (template: string, deviceId: string) => template.replace(ID, () => deviceId);
  const prefixTemplate = downlinkPrefixTemplate(templates);
  const topic = (kind: keyof TopicTemplates, deviceId: string) => fill(templates[kind], deviceId);
  const downlinkFilters = (deviceId: string) =>
    prefixTemplate === undefined ? DOWNLINKS.map((k) => topic(k, deviceId)) : [`${fill(prefixTemplate, deviceId)}#`];
  const uplinkKind = (deviceId: string, t: string) => UPLINKS.find((k) => topic(k, deviceId) === t);
  const uplinkLevels = UPLINKS.map((kind) => ({ kind, levels: templates[kind].split('/') }));
  const uplinkOf = (t: string) => {
    const levels = t.split('/');
    for (const { kind, levels: want } of uplinkLevels) {
      if (want.length !== levels.length) continue;
      let deviceId: string | undefined;
      let fits = true;
      for (let i = 0; i < want.length && fits; i++) {
        if (want[i] === ID) deviceId = levels[i];
        else fits = want[i] === levels[i];
      }
      if (fits && deviceId !== undefined && deviceId.length > 0) return { deviceId, kind };
    }
    return undefined;
  };
  const downlinkKind = (deviceId: string, t: string) => DOWNLINKS.find((k) => topic(k, deviceId) === t);
  return {
    templates,
    topic,
    data: (id) => topic('data', id),
    confirm: (id) => topic('confirm', id),
    query: (id) => topic('query', id),
    status: (id) => topic('status', id),
    config: (id) => topic('config', id),
    downlinkFilters,
    uplinkKind,
    uplinkOf,
    uplinkFilters: () => UPLINKS.map((kind) => templates[kind].replace(ID, '+')),
    downlinkKind,
    mayPublish: (deviceId, t) => uplinkKind(deviceId, t) !== undefined,
    maySubscribe(deviceId, filter) {
      if (DOWNLINKS.some((k) => topic(k, deviceId) === filter)) return true;
      if (prefixTemplate === undefined) return false;
      const prefix = fill(prefixTemplate, deviceId);
      // `+` or `#` may only widen within the device's own subtree, which the prefix already fixes.
      return filter.startsWith(prefix) && filter.length > prefix.length;
    },
  };
}

/** The Pebble firmware's layout, pinbench's default. */
export const DEFAULT_TOPICS: TopicLayout = topicLayout();

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
