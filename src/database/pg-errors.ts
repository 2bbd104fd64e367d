const UNIQUE_VIOLATION = '23505';

/** True when `err` is PostgreSQL's unique violation (23505), on the named index if one is given. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } } | null;
  const driver = e?.driverError ?? e;
  return driver?.code === UNIQUE_VIOLATION && (!constraint || driver.constraint === constraint);
}
