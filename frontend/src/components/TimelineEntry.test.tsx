import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import type { TimelineItem } from "../api/types";
import { TimelineEntry } from "./TimelineEntry";

afterEach(cleanup);

function item(partial: Partial<TimelineItem>): TimelineItem {
  return {
    uuid: "u1",
    timestamp: "2025-11-20T10:00:00Z",
    kind: "answer",
    text: "",
    toolName: null,
    agentId: null,
    isError: false,
    truncated: false,
    ...partial,
  };
}

const HOSTILE = `<script>alert(1)</script> and <img src=x onerror=alert(1)> **bold** [link](http://x)`;

describe("TimelineEntry", () => {
  it.each(["prompt", "system", "api_error"] as const)("shows markup in a %s as literal text", (kind) => {
    const { container } = render(
      <ul>
        <TimelineEntry item={item({ kind, text: HOSTILE })} />
      </ul>,
    );
    const entry = screen.getByTestId("timeline-item");
    expect(entry.dataset.kind).toBe(kind);
    expect(entry.textContent).toContain("<script>alert(1)</script>");
    expect(entry.textContent).toContain("<img src=x onerror=alert(1)>");
    expect(entry.textContent).toContain("**bold** [link](http://x)");
    expect(container.querySelector("script, img, strong, a")).toBeNull();
  });

  it("renders an answer's markdown, its HTML as literal text", async () => {
    const text = [
      "Done: **bold**, `code` and [docs](https://example.com/a).",
      "",
      "<script>window.__xss = 1</script>",
      "",
      'Inline <img src=x onerror="window.__xss = 2"> too, and [bad](javascript:alert(1)).',
      "",
      "![chart](https://example.com/c.png)",
      "",
      "```python",
      "print('<b>hi</b>')",
      "```",
    ].join("\n");
    const { container } = render(
      <ul>
        <TimelineEntry item={item({ kind: "answer", text })} />
      </ul>,
    );
    await screen.findByTestId("markdown");
    const entry = screen.getByTestId("timeline-item");
    expect(entry.textContent).toContain("<script>window.__xss = 1</script>");
    expect(entry.textContent).toContain('<img src=x onerror="window.__xss = 2">');
    expect(container.querySelector("script, img, b, iframe, [onerror]")).toBeNull();
    expect(container.querySelector("strong")?.textContent).toBe("bold");
    const links = [...container.querySelectorAll("a")];
    const docs = links.find((a) => a.textContent === "docs")!;
    expect(docs.getAttribute("href")).toBe("https://example.com/a");
    expect(docs.getAttribute("rel")).toBe("noreferrer noopener");
    expect(docs.getAttribute("target")).toBe("_blank");
    expect(links.some((a) => (a.getAttribute("href") ?? "").startsWith("javascript"))).toBe(false);
    expect(links.find((a) => a.textContent?.includes("image: chart"))?.getAttribute("rel")).toBe("noreferrer noopener");
    const block = container.querySelector("pre > code");
    expect(block?.textContent).toBe("print('<b>hi</b>')\n");
    expect(block?.className).toContain("language-python");
  });

  it("folds a tool call to one line and shows it all, still as text, on click", () => {
    const text = `rm -rf build\n<img src=x onerror=alert(1)>`;
    const { container } = render(
      <ul>
        <TimelineEntry item={item({ kind: "tool_use", toolName: "Bash", text })} />
      </ul>,
    );
    const toggle = screen.getByRole("button");
    expect(toggle.getAttribute("aria-expanded")).toBe("false");
    expect(toggle.textContent).toContain("Bash");
    expect(screen.getByTestId("timeline-item").textContent).not.toContain("onerror");

    fireEvent.click(toggle);
    expect(toggle.getAttribute("aria-expanded")).toBe("true");
    expect(screen.getByTestId("timeline-item").textContent).toContain("<img src=x onerror=alert(1)>");
    expect(container.querySelector("img")).toBeNull();
  });

  it("marks errors and subagent items", () => {
    render(
      <ul>
        <TimelineEntry item={item({ kind: "tool_result", toolName: "Edit", isError: true, agentId: "agent-1" })} />
      </ul>,
    );
    const text = screen.getByTestId("timeline-item").textContent ?? "";
    expect(text).toContain("error");
    expect(text).toContain("subagent");
  });
});
