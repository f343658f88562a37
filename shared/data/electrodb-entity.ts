import { Entity as ElectroEntity } from 'electrodb';

/**
 * ElectroDB's `Entity`, for every entity of the table, made cheap at cold start in two ways
 * (`npm run bench:bundles` measured each; docs/benchmarks.md):
 *
 * - ElectroDB checks each model against its JSON schema (the `jsonschema` package) whenever an
 *   entity is constructed. The models are constants of this code base, so they are checked once, in
 *   the unit suite (`test/unit/data/entity-models.test.ts` runs ElectroDB's own check on every
 *   entity), and not again at load.
 * - An entity is built when it is first used, not when its module loads: a function loads every
 *   entity its imports reach (32) and a request uses a few. What `new Entity(model, config)` answers
 *   is a stand-in with ElectroDB's `Entity` prototype that builds the entity at its first property
 *   read and then forwards every read and write to it.
 *
 * Every entity module imports `Entity` from here.
 */
const prototype = ElectroEntity.prototype as unknown as { _validateModel?: (model: unknown) => unknown };
// Where a new ElectroDB has moved its check, nothing is skipped and nothing breaks (the unit suite
// says so).
if (typeof prototype._validateModel === 'function') prototype._validateModel = () => undefined;

function lazyEntity(...args: ConstructorParameters<typeof ElectroEntity>): object {
  let built: object | undefined;
  const entity = () => (built ??= new ElectroEntity(...args) as object);
  return new Proxy(Object.create(ElectroEntity.prototype) as object, {
    get(_stand, property) {
      const target = entity();
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
    set: (_stand, property, value) => Reflect.set(entity(), property, value),
    has: (_stand, property) => Reflect.has(entity(), property),
    ownKeys: () => Reflect.ownKeys(entity()),
    getOwnPropertyDescriptor: (_stand, property) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(entity(), property);
      return descriptor ? { ...descriptor, configurable: true } : undefined;
    },
  });
}

const LazyEntity = function Entity(this: unknown, ...args: ConstructorParameters<typeof ElectroEntity>) {
  return lazyEntity(...args);
};
// `instanceof Entity` holds for the stand-ins, as for ElectroDB's own entities.
LazyEntity.prototype = ElectroEntity.prototype;
export const Entity = LazyEntity as unknown as typeof ElectroEntity;

export type { EntityItem } from 'electrodb';
