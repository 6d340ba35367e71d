import { SegmentedControl } from "./SegmentedControl";

export type ChartStyle = "stacked" | "lines";

/** Stacked areas or separate lines: the one style switch of every token chart. */
export function ChartStyleToggle({ value, onChange }: { value: ChartStyle; onChange: (style: ChartStyle) => void }) {
  return (
    <SegmentedControl
      label="Chart style"
      value={value}
      onChange={onChange}
      options={[
        { value: "stacked", label: "Stacked" },
        { value: "lines", label: "Lines" },
      ]}
    />
  );
}
