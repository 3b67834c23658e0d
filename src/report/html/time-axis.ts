/**
 * The virtual-time axis: where a time lands on the page, and round tick steps (1s, 15s, 5m, 6h...)
 * labelled as durations since the run began, as precise as the step (`1h 10m 2.5s` when ticks are
 * 500 ms apart). The page's script repeats `TICK_STEPS_MS`, the step choice and `tickLabel` when
 * the user zooms, so the axis reads the same before and after.
 */
/** A linear map from a span of virtual ms to a span of page x. */
export interface TimeScale {
  /** Virtual ms at the left and right edges. */
  t0: number;
  t1: number;
  /** Page x of the left edge, and the width. */
  x0: number;
  width: number;
}

/** Page x of virtual time `t`. */
export function xOf(scale: TimeScale, t: number): number {
  const span = scale.t1 - scale.t0 || 1;
  return scale.x0 + ((t - scale.t0) / span) * scale.width;
}

/** Round steps from 1 ms to 30 days. */
export const TICK_STEPS_MS: readonly number[] = [
  1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000, 7_200_000,
  10_800_000, 21_600_000, 43_200_000, 86_400_000, 172_800_000, 604_800_000, 2_592_000_000,
];

/** The smallest round step that puts at most `maxTicks` ticks on the span. */
export function tickStep(t0: number, t1: number, maxTicks: number): number {
  const span = Math.max(t1 - t0, 1e-9);
  return TICK_STEPS_MS.find((s) => span / s <= maxTicks) ?? (TICK_STEPS_MS.at(-1) as number);
}

/** The ticks in [t0, t1] at multiples of the step, each with its label. */
export function timeTicks(t0: number, t1: number, maxTicks: number): { t: number; label: string }[] {
  const step = tickStep(t0, t1, maxTicks);
  const out: { t: number; label: string }[] = [];
  for (let k = Math.ceil(t0 / step); k * step <= t1; k++) out.push({ t: k * step, label: tickLabel(k * step, step) });
  return out;
}

/** A tick's time as days, hours, minutes and seconds, down to the precision its step needs. */
export function tickLabel(t: number, step: number): string {
  if (t === 0) return "0";
  if (t < 1_000) return `${Math.round(t)}ms`;
  const decimals = step >= 1_000 ? 0 : step >= 100 ? 1 : step >= 10 ? 2 : 3;
  const d = Math.floor(t / 86_400_000);
  const h = Math.floor((t % 86_400_000) / 3_600_000);
  const m = Math.floor((t % 3_600_000) / 60_000);
  const s = (t % 60_000) / 1_000;
  const sec = Number(s.toFixed(decimals));
  const parts = [d ? `${d}d` : "", h ? `${h}h` : "", m ? `${m}m` : "", sec ? `${sec}s` : ""];
  return parts.filter(Boolean).join(" ");
}
