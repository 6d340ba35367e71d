// Browser notifications for the server's alerts (a session blocks, finishes a long turn or fails; a run finishes).
// The server decides, deduplicates, rate-limits and leaves out muted sessions; the page only shows them. Off until
// the user turns them on with a button (the permission prompt is never shown on load); the choice is remembered in
// localStorage.

import type { Alert } from "../api/types";

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

/** The notification's text: the alert's headline, then where (folder · branch) and the session's title. */
export function describeAlert(alert: Alert): { title: string; body: string; tag: string } {
  const where = [alert.projectPath?.split("/").filter(Boolean).slice(-2).join("/"), alert.gitBranch, alert.title]
    .filter(Boolean)
    .join(" · ");
  const subject = alert.sessionId ?? alert.runId ?? "ccdeck";
  return { title: alert.headline, body: where || alert.message, tag: `ccdeck-${alert.kind}-${subject}` };
}

/** Where clicking the notification leads: the session's page, else the run's. */
export function alertTarget(alert: Alert): string | null {
  if (alert.sessionId) return `/sessions/${encodeURIComponent(alert.sessionId)}`;
  if (alert.runId) return `/runs/${encodeURIComponent(alert.runId)}`;
  return null;
}

export function notifyAlert(alert: Alert, open: (path: string) => void): void {
  if (!notificationsOn()) return;
  const { title, body, tag } = describeAlert(alert);
  const notification = new Notification(title, { body, tag });
  notification.onclick = () => {
    window.focus();
    const target = alertTarget(alert);
    if (target) open(target);
    notification.close();
  };
}
