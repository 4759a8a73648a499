/** Durations on the command line: "90", "90s", "5m", "1h30m". */
import { ValueError } from 'recurrent';

const UNIT: Record<string, number> = { h: 3600, m: 60, s: 1 };

/** Seconds in a duration string; a bare number means seconds. `flag` names it in errors. */
export function parseDuration(text: string, flag = '--time'): number {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)([hms])/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== trimmed) {
    throw new ValueError(`${flag}: expected a duration such as 90s, 5m or 1h30m; got '${text}'`);
  }
  return parts.reduce((s, p) => s + Number(p[1]) * UNIT[p[2]!]!, 0);
}

/** "1:05:03" or "5:03". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}
