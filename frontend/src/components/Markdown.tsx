import type { ComponentProps } from "react";
import ReactMarkdown, { type Components } from "react-markdown";

// Markdown from a transcript, rendered safely: raw HTML in it stays text (react-markdown turns it into text nodes
// unless a raw-HTML plugin is added, and none is), unsafe URL schemes are dropped by its default URL transform,
// links open in a new tab without referrer or opener, and images are shown as links, never loaded.

function ExternalLink({ href, children }: ComponentProps<"a">) {
  if (!href) return <span>{children}</span>;
  return (
    <a href={href} target="_blank" rel="noreferrer noopener" className="text-sky-700 underline dark:text-sky-400">
      {children}
    </a>
  );
}

function ImageAsLink({ src, alt }: ComponentProps<"img">) {
  const label = `image: ${alt || (typeof src === "string" ? src : "")}`;
  if (typeof src !== "string" || !src) return <span>[{label}]</span>;
  return <ExternalLink href={src}>[{label}]</ExternalLink>;
}

const COMPONENTS: Components = {
  a: ({ href, children }) => <ExternalLink href={href}>{children}</ExternalLink>,
  img: ({ src, alt }) => <ImageAsLink src={src} alt={alt} />,
};

const PROSE = [
  "min-w-0 text-sm break-words [overflow-wrap:anywhere]",
  "[&_p]:my-1.5 [&_ul]:my-1.5 [&_ul]:list-disc [&_ul]:pl-5 [&_ol]:my-1.5 [&_ol]:list-decimal [&_ol]:pl-5",
  "[&_h1]:mt-2 [&_h1]:text-base [&_h1]:font-semibold [&_h2]:mt-2 [&_h2]:font-semibold [&_h3]:mt-2 [&_h3]:font-semibold",
  "[&_blockquote]:border-l-2 [&_blockquote]:border-slate-300 [&_blockquote]:pl-2 [&_blockquote]:text-slate-600",
  "[&_code]:rounded [&_code]:bg-slate-100 [&_code]:px-1 [&_code]:font-mono [&_code]:text-xs",
  "dark:[&_code]:bg-slate-800 dark:[&_blockquote]:border-slate-600 dark:[&_blockquote]:text-slate-300",
  "[&_pre]:my-2 [&_pre]:overflow-x-auto [&_pre]:rounded-md [&_pre]:bg-slate-100 [&_pre]:p-2 dark:[&_pre]:bg-slate-800",
  "[&_pre_code]:bg-transparent [&_pre_code]:p-0 [&_pre_code]:whitespace-pre",
  "[&_table]:my-2 [&_table]:block [&_table]:overflow-x-auto [&_td]:border [&_td]:px-1 [&_th]:border [&_th]:px-1",
].join(" ");

/** Markdown `text` as React elements; no HTML in it is ever rendered as markup. */
export function Markdown({ text }: { text: string }) {
  return (
    <div data-testid="markdown" className={PROSE}>
      <ReactMarkdown components={COMPONENTS} skipHtml={false}>
        {text}
      </ReactMarkdown>
    </div>
  );
}
