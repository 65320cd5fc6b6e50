/**
 * @peculiar/x509 resolves its algorithms through tsyringe, which refuses to load unless
 * `Reflect.getMetadata` exists (the reflect-metadata proposal; Node has none of it). These are
 * the three calls tsyringe makes, installed only where no polyfill is present, so an
 * application that loads reflect-metadata itself keeps its own. Import this module before
 * `@peculiar/x509`.
 */

type Key = string | symbol | undefined;
type Metadata = Map<unknown, unknown>;

interface ReflectMetadata {
  defineMetadata(metadataKey: unknown, value: unknown, target: object, propertyKey?: string | symbol): void;
  getOwnMetadata(metadataKey: unknown, target: object, propertyKey?: string | symbol): unknown;
  getMetadata(metadataKey: unknown, target: object, propertyKey?: string | symbol): unknown;
}

const reflect = Reflect as unknown as Partial<ReflectMetadata>;

if (typeof reflect.getMetadata !== 'function') {
  const store = new WeakMap<object, Map<Key, Metadata>>();
  const own = (target: object, propertyKey: Key, create: boolean): Metadata | undefined => {
    let byProperty = store.get(target);
    if (byProperty === undefined) {
      if (!create) return undefined;
      byProperty = new Map();
      store.set(target, byProperty);
    }
    let metadata = byProperty.get(propertyKey);
    if (metadata === undefined && create) {
      metadata = new Map();
      byProperty.set(propertyKey, metadata);
    }
    return metadata;
  };
  const polyfill: ReflectMetadata = {
    defineMetadata(metadataKey, value, target, propertyKey) {
      own(target, propertyKey, true)!.set(metadataKey, value);
    },
    getOwnMetadata: (metadataKey, target, propertyKey) => own(target, propertyKey, false)?.get(metadataKey),
    getMetadata(metadataKey, target, propertyKey) {
      for (let at: object | null = target; at !== null; at = Object.getPrototypeOf(at) as object | null) {
        const metadata = own(at, propertyKey, false);
        if (metadata?.has(metadataKey)) return metadata.get(metadataKey);
      }
      return undefined;
    },
  };
  Object.assign(Reflect, polyfill);
}

export {};
