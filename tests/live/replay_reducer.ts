// Applies WebSocket messages (JSON, one per line on stdin) with the dashboard's own reducer and prints the state
// it ends in, so the Python tests can compare what a client shows with what the API says.
import { readFileSync } from "node:fs";
import { type LiveAction, initialLiveState, liveReducer } from "../../frontend/src/live/reducer";

const lines = readFileSync(0, "utf8").split("\n").filter(Boolean);
let state = initialLiveState;
for (const line of lines) state = liveReducer(state, JSON.parse(line) as LiveAction);
process.stdout.write(JSON.stringify({ sessions: state.sessions, summary: state.summary, runs: state.runs }));
