function errorChain(error: unknown): Array<{ name?: string; message?: string }> {
  const chain: Array<{ name?: string; message?: string }> = [];
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    chain.push(current as { name?: string });
    const next = current as { cause?: unknown; originalError?: unknown };
    current = next.cause ?? next.originalError;
  }
  return chain;
}

/** True when DynamoDB refused a write because its condition did not hold (ElectroDB wraps it). */
export function isConditionalFailure(error: unknown): boolean {
  return errorChain(error).some((e) => e.name === 'ConditionalCheckFailedException');
}
