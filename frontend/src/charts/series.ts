import type { LiveUsagePoint, TokensAt, UsagePoint } from "../api/types";

/** Data for a time chart: `x` in epoch seconds, one value per x in every series. */
export interface ChartData {
  x: number[];
  series: { label: string; values: number[] }[];
}

export type ChartBucket = "hour" | "day";
export type UsageView = "type" | "model";

type TokenFields = Pick<LiveUsagePoint, "inputTokens" | "outputTokens" | "cacheCreationTokens" | "cacheReadTokens">;

const TOKEN_TYPES: readonly { field: keyof TokenFields; label: string }[] = [
  { field: "inputTokens", label: "input" },
  { field: "outputTokens", label: "output" },
  { field: "cacheCreationTokens", label: "cache write" },
  { field: "cacheReadTokens", label: "cache read" },
];

/** Start of the local hour or day containing `epochSeconds`, in epoch seconds. */
export function bucketStart(epochSeconds: number, bucket: ChartBucket): number {
  const d = new Date(epochSeconds * 1000);
  if (bucket === "hour") d.setMinutes(0, 0, 0);
  else d.setHours(0, 0, 0, 0);
  return Math.floor(d.getTime() / 1000);
}

/** Every bucket start from local midnight of `since` (YYYY-MM-DD) to `now`. */
export function bucketRange(since: string, now: Date, bucket: ChartBucket): number[] {
  const [y, m, d] = since.split("-").map(Number);
  const cursor = new Date(y ?? 1970, (m ?? 1) - 1, d ?? 1);
  const out: number[] = [];
  while (cursor.getTime() <= now.getTime()) {
    out.push(Math.floor(cursor.getTime() / 1000));
    if (bucket === "hour") cursor.setHours(cursor.getHours() + 1);
    else cursor.setDate(cursor.getDate() + 1);
  }
  return out;
}

interface Sample extends TokenFields {
  t: number;
  key: string;
}

/**
 * Token usage per bucket, by token type or by model, from the `/api/usage?group=model` points plus
 * the live points received after they were fetched. Empty buckets in `range` are kept as zeros.
 */
export function usageChartData(
  fetched: readonly UsagePoint[],
  live: readonly LiveUsagePoint[],
  bucket: ChartBucket,
  view: UsageView,
  range: readonly number[],
): ChartData {
  const samples: Sample[] = [
    ...fetched.map((p) => ({ ...p, t: bucketStart(Date.parse(p.t) / 1000, bucket) })),
    ...live.map((p) => ({ ...p, t: bucketStart(p.t, bucket), key: p.model })),
  ];
  const x = [...new Set([...range, ...samples.map((s) => s.t)])].sort((a, b) => a - b);
  const index = new Map(x.map((t, i) => [t, i]));

  if (view === "type") {
    const series = TOKEN_TYPES.map(({ label }) => ({ label, values: x.map(() => 0) }));
    for (const s of samples) {
      const i = index.get(s.t)!;
      TOKEN_TYPES.forEach(({ field }, k) => {
        series[k]!.values[i]! += s[field];
      });
    }
    return { x, series };
  }

  const byModel = new Map<string, number[]>();
  for (const s of samples) {
    let values = byModel.get(s.key);
    if (!values) {
      values = x.map(() => 0);
      byModel.set(s.key, values);
    }
    values[index.get(s.t)!]! += s.inputTokens + s.outputTokens + s.cacheCreationTokens + s.cacheReadTokens;
  }
  const series = [...byModel.entries()]
    .map(([label, values]) => ({ label, values }))
    .sort((a, b) => sum(b.values) - sum(a.values));
  return { x, series };
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** A session's cumulative tokens by type over time. */
export function cumulativeTokens(points: readonly TokensAt[]): ChartData {
  const sorted = [...points].sort((a, b) => a.t - b.t);
  const running = TOKEN_TYPES.map(() => 0);
  const series = TOKEN_TYPES.map(({ label }) => ({ label, values: [] as number[] }));
  for (const p of sorted) {
    TOKEN_TYPES.forEach(({ field }, k) => {
      running[k]! += p[field];
      series[k]!.values.push(running[k]!);
    });
  }
  return { x: sorted.map((p) => p.t), series };
}

/** Running sums across series (series k becomes the sum of series 0..k), for a stacked chart. */
export function stack(series: readonly number[][]): number[][] {
  const out: number[][] = [];
  series.forEach((values, k) => {
    out.push(values.map((v, i) => v + (k > 0 ? out[k - 1]![i]! : 0)));
  });
  return out;
}

export interface CostShare {
  key: string;
  costUSD: number | null;
  totalTokens: number;
}
