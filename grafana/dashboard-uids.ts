// Stable dashboard uids: alert `dashboard_url`s, runbooks and bookmarks point at /d/<uid>; never change them.
// They are declared once, in the rules' config (prometheus/thresholds.ts), which builds the alerts' links.
export { dashboardUids } from './alert-rules-config.ts';
