import { Entity } from 'electrodb';

/**
 * ElectroDB's `Entity`, for every entity of the table. ElectroDB checks each model against its JSON
 * schema (the `jsonschema` package) every time an entity is constructed, which every function did
 * for every entity at cold start: about a quarter of a function's load time (`npm run bench:bundles`).
 * The models are constants of this code base, so they are checked once, in the unit suite
 * (`test/unit/data/entity-models.test.ts` runs ElectroDB's own check on every entity), and not again
 * at load. This module must be imported before any entity is constructed: every entity module
 * imports `Entity` from here.
 */
const prototype = Entity.prototype as unknown as { _validateModel?: (model: unknown) => unknown };
// Where a new ElectroDB has moved its check, nothing is skipped and nothing breaks (the unit suite
// says so).
if (typeof prototype._validateModel === 'function') prototype._validateModel = () => undefined;

export { Entity };
export type { EntityItem } from 'electrodb';
