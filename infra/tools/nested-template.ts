/** A CloudFormation template as JSON. */
export type TemplateJson = Record<string, unknown> & { Parameters?: Record<string, unknown> };

/**
 * A nested stack's template with each of its parameters replaced by the value its parent passes
 * (`{"Ref": "referencetoTenantry…Ref"}` becomes the parent's `{"Ref": "<the function's id>"}`), so
 * the nested stack's resources read as they would in one template. Returns the names of parameters
 * the parent does not pass (none, when CDK made them all).
 */
export function withParentValues(
  nested: TemplateJson,
  passed: Record<string, unknown>,
): { template: TemplateJson; unpassed: string[] } {
  const replace = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(replace);
    if (value === null || typeof value !== 'object') return value;
    const ref = (value as { Ref?: unknown }).Ref;
    if (typeof ref === 'string' && Object.keys(value).length === 1 && ref in passed) return passed[ref];
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, replace(inner)]));
  };
  return {
    template: replace(nested) as TemplateJson,
    unpassed: Object.keys(nested.Parameters ?? {}).filter((name) => !(name in passed)),
  };
}

/** The parameters a parent template passes its one nested stack. */
export function nestedStackParameters(parent: TemplateJson): Record<string, unknown> {
  const resources = Object.values(
    (parent.Resources ?? {}) as Record<string, { Type: string; Properties?: unknown }>,
  );
  const stacks = resources.filter((resource) => resource.Type === 'AWS::CloudFormation::Stack');
  if (stacks.length !== 1) throw new Error(`Expected one nested stack, found ${stacks.length}.`);
  return (stacks[0]?.Properties as { Parameters?: Record<string, unknown> }).Parameters ?? {};
}
