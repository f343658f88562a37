import type * as z from 'zod/v4/core';

/** The named schemas of the API, shown once in the OpenAPI document and referenced from operations. */
export const COMPONENTS = new Map<string, z.$ZodType>();

/** Names a schema as an OpenAPI component (`#/components/schemas/<id>`). */
export function component<T extends z.$ZodType>(id: string, schema: T): T {
  COMPONENTS.set(id, schema);
  return schema;
}
