/** How an API request ended, as the `outcome` label spells it. */
export type ApiOutcome = "success" | "client_error" | "server_error";

/**
 * The outcome for an HTTP status: 2xx/3xx success, 4xx the caller's mistake, anything else
 * ours. Pure, so the ECS and gRPC edges label the same way (map gRPC codes to HTTP first).
 */
export function apiOutcome(httpStatus: number): ApiOutcome {
  if (httpStatus < 400) return "success";
  return httpStatus < 500 ? "client_error" : "server_error";
}
