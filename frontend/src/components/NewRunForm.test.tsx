import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { NewRunForm } from "./NewRunForm";

afterEach(cleanup);
beforeEach(() => {
  window.sessionStorage.clear();
  return () => vi.unstubAllGlobals();
});

function change(label: string, value: string) {
  fireEvent.change(screen.getByLabelText(label, { exact: false }), { target: { value } });
}

describe("NewRunForm", () => {
  it("checks the tasks before sending anything", async () => {
    const fetch = vi.fn();
    vi.stubGlobal("fetch", fetch);
    render(<NewRunForm />);
    fireEvent.click(screen.getByTestId("new-run-submit"));
    expect((await screen.findByText('Task 1 ("task-1"): the prompt is empty.')).tagName).toBe("LI");
    expect(fetch).not.toHaveBeenCalled();
  });

  it("shows the server's 422 detail exactly, as text", async () => {
    const detail = 'tasks: task 1 ("task-1"): cwd <b>/nope</b> is not a folder';
    const fetch = vi.fn(async () => new Response(JSON.stringify({ detail }), { status: 422 }));
    vi.stubGlobal("fetch", fetch);
    const { container } = render(<NewRunForm />);
    change("Prompt", "Fix the typos");
    change("Working directory", "/nope");
    change("Max parallel", "2");
    fireEvent.click(screen.getByTestId("new-run-submit"));
    const error = await screen.findByTestId("new-run-error");
    expect(error.textContent).toContain(detail);
    expect(container.querySelector("b")).toBeNull();
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("/api/runs");
    expect(init.method).toBe("POST");
    expect(JSON.parse(String(init.body))).toEqual({
      tasks: [{ id: "task-1", prompt: "Fix the typos", cwd: "/nope" }],
      options: { maxParallel: 2 },
    });
  });
});
