// The agent's host command runner against real processes: a command that exits without reading
// the input it was given (nsenter into a task namespace that is already gone) is a failed
// command the caller hears of, never an EPIPE that ends the agent.
import { network } from "@berth/agent";
import { describe, expect, it } from "vitest";

// More than a pipe holds, so the write is still going when the command has exited.
const input = "x".repeat(4 * 1024 * 1024);

describe("hostCommand with input", () => {
  it("a command that exits unread and fails rejects with its status, and the process lives on", async () => {
    const err = await network.hostCommand("sh", ["-c", "echo gone >&2; exit 3"], input).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe("sh -c echo gone >&2; exit 3: gone");
  });

  it("a command that exits unread but succeeds resolves", async () => {
    await expect(network.hostCommand("true", [], input)).resolves.toBe("");
  });

  it("a command that reads its input answers with its output", async () => {
    await expect(network.hostCommand("wc", ["-c"], "12345")).resolves.toBe("5\n");
  });
});
