/**
 * How times, durations and causes read in what tenantctl and `npm run demo` print: one format
 * for each, so a run followed by either reads the same.
 */

/** `2026-11-23 09:00:01Z` */
export function formatTime(date: Date | undefined): string {
  if (!date) return '—';
  return `${date.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

/** `12 ms`, `1.4 s`, `3 min 05 s`, `2 h 10 min`, `3 d 4 h`. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1_000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1_000);
  if (seconds < 3_600) return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3_600)} h ${Math.floor((seconds % 3_600) / 60)} min`;
  return `${Math.floor(seconds / 86_400)} d ${Math.floor((seconds % 86_400) / 3_600)} h`;
}

/** One line, at most `max` characters: an error message or cause as an operator reads it. */
export function oneLine(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * A state's or execution's cause as a sentence: Lambda's JSON (`{"errorMessage": …}`) is
 * unwrapped to its message; anything else is kept, on one line.
 */
export function readableCause(cause: string | undefined): string | undefined {
  if (cause === undefined || cause === '') return undefined;
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown; Cause?: unknown };
    if (typeof parsed.errorMessage === 'string') return oneLine(parsed.errorMessage);
    if (typeof parsed.Cause === 'string') return readableCause(parsed.Cause);
  } catch {
    // Not JSON: a message already.
  }
  return oneLine(cause);
}
