/**
 * The scheduler's priority queue: a binary min-heap over typed arrays, ordered by
 * (time, tie). `tie` is the insertion sequence in FIFO mode, or a seeded random key with the
 * sequence in its low bits in shuffle mode, so every order is total and reproducible.
 * Entries carry an integer `slot` that the simulation maps to a callback.
 */
export class EventQueue {
  #time: Float64Array;
  #tie: Float64Array;
  #slot: Int32Array;
  #size = 0;

  constructor(capacity = 1024) {
    this.#time = new Float64Array(capacity);
    this.#tie = new Float64Array(capacity);
    this.#slot = new Int32Array(capacity);
  }

  get size(): number {
    return this.#size;
  }

  /** The earliest time in the queue; Infinity when empty. */
  peekTime(): number {
    return this.#size === 0 ? Infinity : (this.#time[0] as number);
  }

  /** The slot of the earliest entry. The queue must not be empty. */
  peekSlot(): number {
    return this.#slot[0] as number;
  }

  /** Adds an entry; `tie` orders entries of equal time (lower first). */
  push(time: number, tie: number, slot: number): void {
    if (this.#size === this.#time.length) this.#grow();
    const times = this.#time;
    const ties = this.#tie;
    const slots = this.#slot;
    let i = this.#size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = times[p] as number;
      if (pt < time || (pt === time && (ties[p] as number) < tie)) break;
      times[i] = pt;
      ties[i] = ties[p] as number;
      slots[i] = slots[p] as number;
      i = p;
    }
    times[i] = time;
    ties[i] = tie;
    slots[i] = slot;
  }

  /** Removes the earliest entry and returns its slot. The queue must not be empty. */
  pop(): number {
    const times = this.#time;
    const ties = this.#tie;
    const slots = this.#slot;
    const top = slots[0] as number;
    const n = --this.#size;
    if (n > 0) {
      const t = times[n] as number;
      const k = ties[n] as number;
      const s = slots[n] as number;
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= n) break;
        let ct = times[c] as number;
        let ck = ties[c] as number;
        const r = c + 1;
        if (r < n) {
          const rt = times[r] as number;
          const rk = ties[r] as number;
          if (rt < ct || (rt === ct && rk < ck)) {
            c = r;
            ct = rt;
            ck = rk;
          }
        }
        if (t < ct || (t === ct && k < ck)) break;
        times[i] = ct;
        ties[i] = ck;
        slots[i] = slots[c] as number;
        i = c;
      }
      times[i] = t;
      ties[i] = k;
      slots[i] = s;
    }
    return top;
  }

  #grow(): void {
    const cap = this.#time.length * 2;
    const t = new Float64Array(cap);
    t.set(this.#time);
    const k = new Float64Array(cap);
    k.set(this.#tie);
    const s = new Int32Array(cap);
    s.set(this.#slot);
    this.#time = t;
    this.#tie = k;
    this.#slot = s;
  }
}
