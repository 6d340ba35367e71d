// Display formatting shared by every page. Pure functions, so they are easy to test.

const TOKEN_UNITS: readonly [number, string][] = [
  [1e9, "B"],
  [1e6, "M"],
  [1e3, "k"],
];

function trimZero(text: string): string {
  return text.endsWith(".0") ? text.slice(0, -2) : text;
}

/** 950 → "950", 12_345 → "12.3k", 1_234_567 → "1.2M". */
export function formatTokens(n: number): string {
  const sign = n < 0 ? "-" : "";
  const abs = Math.abs(n);
  for (let i = 0; i < TOKEN_UNITS.length; i++) {
    const [size, unit] = TOKEN_UNITS[i]!;
    if (abs >= size) {
      const scaled = Number((abs / size).toFixed(1));
      // 999_960 rounds to "1000.0k": show it in the next unit up instead
      const bigger = TOKEN_UNITS[i - 1];
      if (scaled >= 1000 && bigger) return `${sign}${trimZero((abs / bigger[0]).toFixed(1))}${bigger[1]}`;
      return `${sign}${trimZero(scaled.toFixed(1))}${unit}`;
    }
  }
  const rounded = Math.round(abs);
  if (rounded >= 1000) return `${sign}1k`;
  return `${sign}${rounded}`;
}

/** Exact count with thousands separators, for titles and tooltips. */
export function formatInteger(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** null → "unpriced"; 0.01234 → "$0.0123"; 12.345 → "$12.35"; 1234.5 → "$1,235". */
export function formatCost(usd: number | null): string {
  if (usd === null) return "unpriced";
  if (usd === 0) return "$0.00";
  const sign = usd < 0 ? "-" : "";
  const abs = Math.abs(usd);
  if (abs < 0.0001) return `${sign}<$0.0001`;
  if (abs < 1) return `${sign}$${abs.toFixed(4)}`;
  if (abs < 1000) return `${sign}$${abs.toFixed(2)}`;
  return `${sign}$${Math.round(abs).toLocaleString("en-US")}`;
}

/** 45 → "45s", 725 → "12m 5s", 11_040 → "3h 4m", 183_600 → "2d 3h". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s}s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return s % 60 ? `${minutes}m ${s % 60}s` : `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours}h ${minutes % 60}m` : `${hours}h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days}d ${hours % 24}h` : `${days}d`;
}

/** Seconds between two instants, never negative. */
export function secondsBetween(fromIso: string | null, to: number): number {
  const from = Date.parse(fromIso ?? "");
  return Number.isNaN(from) ? 0 : Math.max(0, (to - from) / 1000);
}

/** "just now", "5m ago", "3h ago", "2d ago". */
export function formatAgo(iso: string | null, now: number): string {
  if (iso === null) return "—";
  const seconds = secondsBetween(iso, now);
  if (seconds < 45) return "just now";
  const [head] = formatDuration(seconds).split(" ");
  return `${head} ago`;
}

const dateTime = new Intl.DateTimeFormat(undefined, {
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});

const time = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });

/** Local date and time, or the raw text when it is not a date; "—" for none. */
export function formatDateTime(iso: string | null): string {
  if (iso === null) return "—";
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : dateTime.format(ms);
}

export function formatTime(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : time.format(ms);
}

/** The last segment of a project path ("/home/me/src/app/" → "app"); "—" for none. */
export function projectName(path: string | null): string {
  if (path === null) return "—";
  const parts = path.split(/[\\/]+/).filter(Boolean);
  return parts[parts.length - 1] ?? path;
}

/** A local calendar date as `YYYY-MM-DD`, `daysAgo` days before `now`. */
export function localDate(now: Date, daysAgo = 0): string {
  const d = new Date(now.getFullYear(), now.getMonth(), now.getDate() - daysAgo);
  const mm = String(d.getMonth() + 1).padStart(2, "0");
  const dd = String(d.getDate()).padStart(2, "0");
  return `${d.getFullYear()}-${mm}-${dd}`;
}

/** Task time over wall time: 3.14 → "3.1×", 12.4 → "12×"; null → "—". */
export function formatSpeedup(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio) || ratio < 0) return "—";
  const tenths = Math.round(ratio * 10) / 10;
  return tenths >= 10 ? `${Math.round(ratio)}×` : `${tenths.toFixed(1)}×`;
}

/** A share from 0 to 1 as a whole percentage: 0.6667 → "67%"; null → "—". */
export function formatPercent(share: number | null | undefined): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return "—";
  return `${Math.round(share * 100)}%`;
}

/** Like `formatDuration`, with "—" for a time not known yet. */
export function formatSeconds(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "—";
  return formatDuration(seconds);
}

/** A cost that may be missing: "—" when nothing was billed yet, "unpriced" when the model has no price. */
export function formatCostOrDash(usd: number | null | undefined, billed: boolean): string {
  if (usd === null || usd === undefined) return billed ? "unpriced" : "—";
  return formatCost(usd);
}

/** How long a state has lasted: "for 12 s", "for 3 min", "for 2 h 5 min", "for 3 d 4 h"; null when unknown. */
export function formatFor(sinceIso: string | null, now: number): string | null {
  if (!sinceIso || Number.isNaN(Date.parse(sinceIso))) return null;
  const s = Math.floor(secondsBetween(sinceIso, now));
  if (s < 60) return `for ${s} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `for ${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `for ${hours} h ${minutes % 60} min` : `for ${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `for ${days} d ${hours % 24} h` : `for ${days} d`;
}

const RELATIVE_DAYS = 7;
const dayThisYear = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });
const dayOtherYear = new Intl.DateTimeFormat(undefined, { year: "numeric", month: "short", day: "numeric" });

/** "5m ago" within the last 7 days, the date after that ("Nov 3", or "Nov 3, 2024" in another year); "—" for none. */
export function formatWhen(iso: string | null, now: number): string {
  if (iso === null) return "—";
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  if (now - ms < RELATIVE_DAYS * 86_400_000) return formatAgo(iso, now);
  const format = new Date(ms).getFullYear() === new Date(now).getFullYear() ? dayThisYear : dayOtherYear;
  return format.format(ms);
}
