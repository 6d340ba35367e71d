// The tab title: the page's own title, prefixed with how many sessions need the user, e.g. "(2) Sessions · ccdeck".

let pageTitle = "";
let needsCount = 0;

function apply(): void {
  const base = pageTitle ? `${pageTitle} · ccdeck` : "ccdeck";
  document.title = needsCount > 0 ? `(${needsCount}) ${base}` : base;
}

export function setPageTitle(title: string): void {
  pageTitle = title;
  apply();
}

export function setNeedsCount(count: number): void {
  needsCount = count;
  apply();
}
