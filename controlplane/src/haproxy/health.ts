import type { TargetHealth } from "../core/index.js";
import { healthReasons } from "../core/index.js";

/** One server row of `show stat` CSV: the columns berth reads. */
export interface ServerStat {
  backend: string;
  server: string;
  /** `UP`, `DOWN`, `UP 1/3` (going down), `DOWN 1/2` (going up), `MAINT`, `DRAIN`, `no check`. */
  status: string;
  /** The last check's status: `L7OK`, `L7STS`, `L4CON`, `L4TOUT`, `INI`, … (`* ` while one runs). */
  checkStatus: string;
  /** The last check's HTTP code, if it got one. */
  checkCode: string;
}

/** The server rows of `show stat` CSV (the proxies' FRONTEND and BACKEND rows left out). Pure. */
export function parseShowStat(csv: string): ServerStat[] {
  const lines = csv.split("\n").filter((l) => l.trim() !== "");
  const header = lines.find((l) => l.startsWith("# "));
  if (!header) return [];
  const cols = header.slice(2).split(",");
  const at = (name: string) => cols.indexOf(name);
  return lines
    .filter((l) => !l.startsWith("#"))
    .map((l) => l.split(","))
    .filter((f) => f[at("svname")] !== "FRONTEND" && f[at("svname")] !== "BACKEND")
    .map((f) => ({ backend: f[at("pxname")], server: f[at("svname")], status: f[at("status")], checkStatus: f[at("check_status")].replace(/^\* /, ""), checkCode: f[at("check_code")] }));
}

// HAProxy's check results that mean the check timed out (layer 4, 6 or 7).
const timeouts = new Set(["L4TOUT", "L6TOUT", "L7TOUT"]);

/**
 * ELBv2's health for one server's HAProxy state, first rule that applies: not checked yet
 * (INI) is initial/RegistrationInProgress; UP (even `UP 1/3`, going down) healthy; DOWN but
 * passing (`DOWN 1/2` going up) initial/InitialHealthChecking; a wrong status code
 * unhealthy/ResponseCodeMismatch; a timeout unhealthy/Timeout; any other failure
 * unhealthy/FailedHealthChecks; DRAIN draining; MAINT (being added) initial. Pure.
 */
export function targetHealthOf(s: ServerStat): TargetHealth {
  if (s.status.startsWith("DRAIN")) return { ...healthReasons.draining };
  if (s.status.startsWith("MAINT")) return { ...healthReasons.registering };
  if (s.checkStatus === "INI" || s.checkStatus === "") return s.status === "no check" ? { state: "healthy" } : { ...healthReasons.registering };
  if (s.status.startsWith("UP") || s.status === "no check") return { state: "healthy" };
  if (s.checkStatus === "L7OK") return { ...healthReasons.initialChecks };
  if (s.checkStatus === "L7STS") return { state: "unhealthy", reason: "Target.ResponseCodeMismatch", description: `Health checks failed with these codes: [${s.checkCode}]` };
  if (timeouts.has(s.checkStatus)) return { state: "unhealthy", reason: "Target.Timeout", description: "Request timed out" };
  return { state: "unhealthy", reason: "Target.FailedHealthChecks", description: "Health checks failed" };
}
