const SERIES_COLORS = [
  "#3b82f6",
  "#10b981",
  "#f59e0b",
  "#8b5cf6",
  "#f43f5e",
  "#06b6d4",
  "#84cc16",
  "#d946ef",
  "#f97316",
  "#64748b",
] as const;

export function seriesColor(index: number): string {
  return SERIES_COLORS[index % SERIES_COLORS.length]!;
}

/** `color` mixed with `background` (both #rrggbb); `amount` is the share of the background. */
export function mix(color: string, background: string, amount: number): string {
  const channel = (hex: string, i: number) => Number.parseInt(hex.slice(1 + 2 * i, 3 + 2 * i), 16);
  const out = [0, 1, 2].map((i) =>
    Math.round(channel(color, i) * (1 - amount) + channel(background, i) * amount)
      .toString(16)
      .padStart(2, "0"),
  );
  return `#${out.join("")}`;
}
