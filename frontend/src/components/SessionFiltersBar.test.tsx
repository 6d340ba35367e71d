import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { DEFAULT_FILTERS, filtersFromSearch, filtersToSearch, sessionsQuery } from "../filters";
import { SessionFiltersBar } from "./SessionFiltersBar";

afterEach(cleanup);

describe("the state filter", () => {
  it("offers every state, blocked included, and toggles it", () => {
    const onChange = vi.fn();
    const filters = { ...DEFAULT_FILTERS, states: ["waiting" as const] };
    render(<SessionFiltersBar filters={filters} projects={[]} models={[]} onChange={onChange} onClear={() => {}} />);
    for (const state of ["working", "blocked", "waiting", "idle", "ended"]) {
      expect(screen.getByRole("button", { name: state })).toBeTruthy();
    }
    expect(screen.getByRole("button", { name: "waiting" }).getAttribute("aria-pressed")).toBe("true");
    expect(screen.getByRole("button", { name: "blocked" }).getAttribute("aria-pressed")).toBe("false");
    fireEvent.click(screen.getByRole("button", { name: "blocked" }));
    expect(onChange).toHaveBeenLastCalledWith({ states: ["waiting", "blocked"] });
    fireEvent.click(screen.getByRole("button", { name: "waiting" }));
    expect(onChange).toHaveBeenLastCalledWith({ states: [] });
  });

  it("carries blocked through the URL to the API query, in the canonical order", () => {
    const filters = filtersFromSearch("?state=waiting,blocked,bogus");
    expect(filters.states).toEqual(["blocked", "waiting"]);
    expect(filtersToSearch(filters)).toBe("?state=blocked%2Cwaiting");
    expect(sessionsQuery(filters).state).toEqual(["blocked", "waiting"]);
  });
});

describe("the machine filter", () => {
  it("shows only when there are several machines, and picks one", () => {
    const onChange = vi.fn();
    const props = { projects: [], models: [], onChange, onClear: () => {} };
    render(<SessionFiltersBar filters={DEFAULT_FILTERS} machines={["laptop"]} {...props} />);
    expect(screen.queryByRole("combobox", { name: "Machine" })).toBeNull();
    cleanup();
    render(<SessionFiltersBar filters={DEFAULT_FILTERS} machines={["laptop", "server"]} {...props} />);
    const select = screen.getByRole("combobox", { name: "Machine" }) as HTMLSelectElement;
    expect([...select.options].map((o) => o.textContent)).toEqual(["All machines", "laptop", "server"]);
    fireEvent.change(select, { target: { value: "server" } });
    expect(onChange).toHaveBeenLastCalledWith({ machine: "server" });
  });

  it("keeps a chosen machine that is not in the list", () => {
    const filters = { ...DEFAULT_FILTERS, machine: "gone" };
    render(<SessionFiltersBar filters={filters} projects={[]} models={[]} onChange={() => {}} onClear={() => {}} />);
    const select = screen.getByRole("combobox", { name: "Machine" }) as HTMLSelectElement;
    expect(select.value).toBe("gone");
  });
});
