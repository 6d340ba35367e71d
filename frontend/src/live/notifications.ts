// Browser notifications for sessions that start needing the user. Off until the user turns them on with a
// button (the permission prompt is never shown on load); the choice is remembered in localStorage.

import type { SessionRow } from "../api/types";

const KEY = "ccdeck.notify";

export function notificationsSupported(): boolean {
  return typeof window !== "undefined" && "Notification" in window;
}

export function notificationsOn(): boolean {
  return notificationsSupported() && Notification.permission === "granted" && localStorage.getItem(KEY) === "on";
}

export async function turnNotificationsOn(): Promise<boolean> {
  if (!notificationsSupported()) return false;
  const permission = Notification.permission === "granted" ? "granted" : await Notification.requestPermission();
  if (permission !== "granted") return false;
  localStorage.setItem(KEY, "on");
  return true;
}

export function turnNotificationsOff(): void {
  localStorage.setItem(KEY, "off");
}

/** The notification's text: what the session waits for, where. */
export function describeNeed(row: SessionRow): { title: string; body: string } {
  const where = [(row.projectPath ?? "").split("/").filter(Boolean).slice(-2).join("/"), row.gitBranch]
    .filter(Boolean)
    .join(" · ");
  const what = row.state === "blocked" ? (row.blockedOn ?? "needs your approval") : "finished its turn";
  return { title: `${row.title ?? "Claude Code"}: ${what}`, body: where };
}

export function notify(row: SessionRow, open: (sessionId: string) => void): void {
  if (!notificationsOn()) return;
  const { title, body } = describeNeed(row);
  const notification = new Notification(title, { body, tag: `ccdeck-${row.sessionId}` });
  notification.onclick = () => {
    window.focus();
    open(row.sessionId);
    notification.close();
  };
}
