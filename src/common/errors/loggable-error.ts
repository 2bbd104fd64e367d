/**
 * What of a failed database query an error log keeps. TypeORM's QueryFailedError carries the
 * bound `parameters` (password hashes, emails, tokens) and copies PostgreSQL's fields onto itself,
 * among them `detail` ("Key (email)=(a@example.com) already exists.") and `where`; its
 * `driverError` holds the same again. Kept: the message, the SQL text, SQLSTATE and the names of
 * the constraint, table and column — enough to find the fault without the data.
 */
const KEPT_QUERY_FIELDS = ['query', 'code', 'severity', 'constraint', 'table', 'column', 'schema', 'routine', 'position'] as const;

const carriesQueryData = (err: object): boolean => 'parameters' in err || 'driverError' in err || 'detail' in err;

/**
 * The error as it may be logged: a copy without query parameters or values for a failed query
 * (its `cause` too); anything else unchanged. Used by the error filter and as pino's `err`
 * serializer, so every `{ err }` log line gets it.
 */
export function loggableError(err: unknown, depth = 0): unknown {
  if (!(err instanceof Error) || depth > 5) return err;
  const cause = 'cause' in err ? loggableError(err.cause, depth + 1) : undefined;
  if (!carriesQueryData(err) && cause === (err as { cause?: unknown }).cause) return err;
  // Same prototype (so the logged type is still QueryFailedError), none of the instance's data.
  const safe = Object.create(Object.getPrototypeOf(err) as object) as Error;
  const hidden = (value: unknown) => ({ value, writable: true, configurable: true, enumerable: false });
  Object.defineProperties(safe, { message: hidden(err.message), name: hidden(err.name), stack: hidden(err.stack) });
  if (cause !== undefined) Object.defineProperty(safe, 'cause', hidden(cause));
  if (carriesQueryData(err)) {
    const source = err as unknown as Record<string, unknown>;
    for (const field of KEPT_QUERY_FIELDS) if (source[field] !== undefined) Object.assign(safe, { [field]: source[field] });
  } else {
    for (const [key, value] of Object.entries(err)) if (key !== 'cause') Object.assign(safe, { [key]: value });
  }
  return safe;
}
