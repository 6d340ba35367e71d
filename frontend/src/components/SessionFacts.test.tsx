import { cleanup, render } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import type { SessionDetail } from "../api/types";
import { sessionRow } from "../test/fixtures";
import { SessionFacts } from "./SessionFacts";

afterEach(cleanup);

function detail(session: SessionDetail["session"]): SessionDetail {
  return { session, bucketSeconds: 60, costByModel: [], cwd: null, entrypoint: null, filesChanged: [],
           subagents: [], tokensOverTime: [], toolUses: {} };
}

describe("SessionFacts", () => {
  it("says a session is known only from telemetry, with its user and host", () => {
    const session = sessionRow({ sessionId: "s-1", source: "telemetry", configDir: "", userEmail: "dev@example.com",
                                 host: "build-7", projectPath: null });
    const { container } = render(<SessionFacts session={session} detail={detail(session)} />);
    const text = container.textContent ?? "";
    expect(text).toContain("OpenTelemetry only");
    expect(text).toContain("dev@example.com");
    expect(text).toContain("build-7");
    expect(text).not.toContain("Config dir");
  });

  it("shows the config dir of a transcript session", () => {
    const session = sessionRow({ sessionId: "s-2", configDir: "/home/dev/.claude" });
    const { container } = render(<SessionFacts session={session} detail={detail(session)} />);
    expect(container.textContent).toContain("/home/dev/.claude");
    expect(container.textContent).not.toContain("OpenTelemetry");
  });
});
