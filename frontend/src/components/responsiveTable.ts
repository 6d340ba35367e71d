// Class names for tables that turn into stacked cards below the `sm` breakpoint, keeping one DOM for
// both layouts. A cell with `data-label` shows that label before its value on small screens.

export const TABLE_BOX =
  "rounded-lg border border-slate-200 sm:overflow-x-auto dark:border-slate-800 max-sm:overflow-hidden";
export const TABLE = "w-full text-sm max-sm:block";
export const THEAD = "bg-slate-50 dark:bg-slate-900 max-sm:hidden";
export const TH =
  "px-3 py-2 text-left text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400";
export const TBODY = "divide-y divide-slate-200 bg-white dark:divide-slate-800 dark:bg-slate-950 max-sm:block";
export const TR =
  "cursor-pointer hover:bg-slate-50 dark:hover:bg-slate-900 max-sm:flex max-sm:flex-wrap max-sm:items-center max-sm:gap-x-3 max-sm:gap-y-1 max-sm:px-3 max-sm:py-2.5";
export const TD = "px-3 py-2 align-top max-sm:p-0";
/** A short value: a plain cell in the table, a small labelled figure in the card. */
export const TD_LABELLED = `${TD} whitespace-nowrap tabular-nums max-sm:text-xs max-sm:before:mr-1 max-sm:before:text-slate-500 max-sm:before:content-[attr(data-label)] dark:max-sm:before:text-slate-400`;
/** A number, right-aligned in the table. */
export const TD_FIGURE = `${TD_LABELLED} text-right`;
