import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { RunTask } from "../api/types";
import { runTask } from "../test/fixtures";
import { RunTaskRow, type RunTaskRowProps } from "./RunTaskRow";

afterEach(cleanup);

beforeEach(() => {
  // The expanded result loads the task's log.
  vi.stubGlobal(
    "fetch",
    vi.fn(async () => new Response(JSON.stringify({ lines: ["<b>log</b> line"] }), { status: 200 })),
  );
  return () => vi.unstubAllGlobals();
});

const HOSTILE = `<script>alert(1)</script> and <img src=x onerror=alert(1)> <a href="http://x">link</a> **bold**`;

function renderRow(task: RunTask, props: Partial<RunTaskRowProps> = {}) {
  return render(
    <table>
      <tbody>
        <RunTaskRow
          task={task}
          runId="r1"
          now={Date.parse("2025-11-20T10:05:00Z")}
          expanded={false}
          onToggle={() => undefined}
          {...props}
        />
      </tbody>
    </table>,
  );
}

describe("RunTaskRow", () => {
  it("shows HTML-looking result, error, prompt and denials as literal text", async () => {
    const task = runTask({
      id: "t1",
      status: "failed",
      result: HOSTILE,
      error: `<i>boom</i>`,
      prompt: `<h1>do it</h1>`,
      permissionDenials: [{ tool_name: "Bash", tool_input: { command: "<svg onload=alert(1)>" } }],
      filesChanged: ["/repo/<u>x</u>.html"],
      sessionId: "s-1",
    });
    const { container } = renderRow(task, { expanded: true });
    const result = screen.getByTestId("task-result");
    expect(screen.getByTestId("task-result-text").textContent).toBe(HOSTILE);
    expect(result.textContent).toContain("<i>boom</i>");
    expect(result.textContent).toContain("<h1>do it</h1>");
    expect(result.textContent).toContain("<svg onload=alert(1)>");
    expect(result.textContent).toContain("/repo/<u>x</u>.html");
    expect(container.querySelector("script, img, i, h1, svg, u, b, strong")).toBeNull();
    // the only link is the one to the session page
    const links = [...container.querySelectorAll("a")];
    expect(links.map((a) => a.getAttribute("href"))).toEqual(["/sessions/s-1"]);
    // the log arrives as text too
    expect((await screen.findByText("<b>log</b> line")).tagName).toBe("PRE");
  });

  it("marks the row with the task's id and status and ticks a running task's time", () => {
    const task = runTask({ id: "t2", status: "running", startedAt: "2025-11-20T10:02:30Z", durationSeconds: 5 });
    renderRow(task);
    const row = screen.getByTestId("task-row");
    expect(row.dataset.taskId).toBe("t2");
    expect(row.dataset.status).toBe("running");
    expect(screen.getByTestId("task-elapsed").textContent).toBe("2m 30s");
    expect(screen.queryByTestId("task-result")).toBeNull();
  });

  it("offers Stop only for unfinished tasks, without toggling the row", () => {
    const onStop = vi.fn();
    const onToggle = vi.fn();
    const task = runTask({ id: "t3", status: "queued", startedAt: null });
    renderRow(task, { onStop, onToggle });
    fireEvent.click(screen.getByTestId("task-stop"));
    expect(onStop).toHaveBeenCalledWith(task);
    expect(onToggle).not.toHaveBeenCalled();
    fireEvent.click(screen.getByTestId("task-row"));
    expect(onToggle).toHaveBeenCalledTimes(1);

    cleanup();
    renderRow(runTask({ id: "t4", status: "succeeded" }), { onStop });
    expect(screen.queryByTestId("task-stop")).toBeNull();

    cleanup();
    renderRow(runTask({ id: "t5", status: "running", stopRequested: true }), { onStop });
    expect(screen.queryByTestId("task-stop")).toBeNull();
    expect(screen.getByTestId("task-row").textContent).toContain("stopping…");
  });
});
