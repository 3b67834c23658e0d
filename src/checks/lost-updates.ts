/**
 * Lost updates in a versioned store: which read-modify-write updates were overwritten by a writer
 * that had not read them. Explains a history that `counterModel` linearizability rejects, in the
 * store's own terms (versions read and written).
 *
 * Every committed write creates a version and was computed from the version its writer read.
 * Walking back from the final version through "read from" links gives the chain of updates whose
 * effects survive (final value = initial value + their deltas). Every other committed update is
 * lost: a later write was computed from a version older than it, and the first such write is the
 * one that overwrote it. With compare-and-set every write reads the version just before its own,
 * and nothing is lost.
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

/** An update whose effect is gone, and the first write that overwrote it. */
export interface LostUpdate {
  lost: CommittedUpdate;
  /** The first later write computed from a version older than the lost one. */
  overwrittenBy: CommittedUpdate;
}

/** The committed updates whose effects were overwritten, by version. Ignores versions it was not given. */
export function lostUpdates(updates: readonly CommittedUpdate[]): LostUpdate[] {
  const byVersion = new Map(updates.map((u) => [u.writtenVersion, u]));
  const ordered = [...byVersion.values()].sort((a, b) => a.writtenVersion - b.writtenVersion);
  const survivors = new Set<number>();
  for (let cur = ordered.at(-1); cur && !survivors.has(cur.writtenVersion); cur = byVersion.get(cur.readVersion)) survivors.add(cur.writtenVersion);
  return ordered.flatMap((u) => {
    if (survivors.has(u.writtenVersion)) return [];
    const by = ordered.find((w) => w.writtenVersion > u.writtenVersion && w.readVersion < u.writtenVersion);
    return by ? [{ lost: u, overwrittenBy: by }] : [];
  });
}
