import { cleanup, render } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { SearchSnippet, snippetParts } from "./SearchSnippet";

afterEach(cleanup);

const S = "\u0002";
const E = "\u0003";

describe("snippetParts", () => {
  it("splits at the markers", () => {
    expect(snippetParts(`…the ${S}wombat${E} and ${S}quokka${E}`)).toEqual([
      { text: "…the ", marked: false },
      { text: "wombat", marked: true },
      { text: " and ", marked: false },
      { text: "quokka", marked: true },
    ]);
    expect(snippetParts("")).toEqual([]);
    expect(snippetParts(`${E}stray${S}`)).toEqual([{ text: "stray", marked: false }]);
  });
});

describe("SearchSnippet", () => {
  it("marks the matches and shows markup as literal text", () => {
    const hostile = `<img src=x onerror=alert(1)> ${S}<script>alert(1)</script>${E} <b>bold</b> &amp;`;
    const { container } = render(<SearchSnippet snippet={hostile} />);
    expect(container.querySelector("img, script, b")).toBeNull();
    const marks = container.querySelectorAll("mark");
    expect(marks).toHaveLength(1);
    expect(marks[0]?.textContent).toBe("<script>alert(1)</script>");
    expect(container.textContent).toBe("<img src=x onerror=alert(1)> <script>alert(1)</script> <b>bold</b> &amp;");
  });
});
