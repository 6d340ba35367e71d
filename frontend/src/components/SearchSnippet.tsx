// A search match's snippet: the matching words in <mark>, everything else as plain text (never HTML).

const START = "\u0002";
const END = "\u0003";

export interface SnippetPart {
  text: string;
  marked: boolean;
}

/** Splits a snippet of `GET /api/search` at its markers (U+0002 opens a match, U+0003 closes it). */
export function snippetParts(snippet: string): SnippetPart[] {
  const parts: SnippetPart[] = [];
  let marked = false;
  let text = "";
  for (const ch of snippet) {
    if (ch === START || ch === END) {
      if (text) parts.push({ text, marked });
      text = "";
      marked = ch === START;
    } else {
      text += ch;
    }
  }
  if (text) parts.push({ text, marked });
  return parts;
}

export function SearchSnippet({ snippet }: { snippet: string }) {
  return (
    <span className="whitespace-pre-line break-words">
      {snippetParts(snippet).map((part, i) =>
        part.marked ? (
          <mark key={i} className="rounded bg-yellow-200 px-0.5 text-inherit dark:bg-yellow-700/60">
            {part.text}
          </mark>
        ) : (
          <span key={i}>{part.text}</span>
        ),
      )}
    </span>
  );
}
