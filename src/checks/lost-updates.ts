/**
 * Lost updates in a versioned store: which read-modify-write updates were overwritten by a writer
 * that had not read them. Explains a history that `counterModel` linearizability rejects, in the
 * store's own terms (versions read and written).
 *
 * Every committed write creates a version and was computed from the version its writer read.
 * Walking back from the final version through "read from" links gives the chain of updates whose
 * effects survive (final value = initial value + their deltas); every other committed update was
 * overwritten by the chain member whose write jumped over its version (read below it, wrote above
 * it). With compare-and-set every write reads the version just before its own and nothing is lost.
 */

/** One committed read-modify-write: the version it read and the version its write created. */
export interface CommittedUpdate {
  /** Who made it (an agent). */
  process: string;
  /** What it was for (an order), for messages. */
  label: string;
  delta: number;
  readVersion: number;
  writtenVersion: number;
  /** The value its write stored. */
  value: number;
  /** Virtual time its write answered. */
  returnedAt: number;
  /** The trace event of its write's response. */
  eventId: number;
}

/** An update whose effect is gone, and the write that overwrote it. */
export interface LostUpdate {
  lost: CommittedUpdate;
  overwrittenBy: CommittedUpdate;
}

/** The committed updates whose effects were overwritten, by version. Ignores versions it was not given. */
export function lostUpdates(updates: readonly CommittedUpdate[]): LostUpdate[] {
  const byVersion = new Map(updates.map((u) => [u.writtenVersion, u]));
  const survivors = new Set<number>();
  const overwriter = new Map<number, CommittedUpdate>();
  let cur = byVersion.get(Math.max(0, ...byVersion.keys()));
  while (cur && !survivors.has(cur.writtenVersion)) {
    survivors.add(cur.writtenVersion);
    for (let v = cur.readVersion + 1; v < cur.writtenVersion; v++) overwriter.set(v, cur);
    cur = byVersion.get(cur.readVersion);
  }
  return [...byVersion.values()]
    .filter((u) => !survivors.has(u.writtenVersion) && overwriter.has(u.writtenVersion))
    .sort((a, b) => a.writtenVersion - b.writtenVersion)
    .map((u) => ({ lost: u, overwrittenBy: overwriter.get(u.writtenVersion) as CommittedUpdate }));
}
