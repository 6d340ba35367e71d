import { describe, expect, it } from "vitest";
import { matchRoute, runHref } from "./router";

describe("matchRoute", () => {
  it("knows the runs list and a run page", () => {
    expect(matchRoute("/runs")).toEqual({ name: "runs" });
    expect(matchRoute("/runs/")).toEqual({ name: "runs" });
    expect(matchRoute("/runs/r-1")).toEqual({ name: "run", id: "r-1" });
    expect(matchRoute(runHref("a b/c"))).toEqual({ name: "run", id: "a b/c" });
    expect(matchRoute("/runs/r-1/extra")).toEqual({ name: "notFound" });
    expect(matchRoute("/runs/%E0%A4%A")).toEqual({ name: "notFound" });
  });
});
