import { describe, expect, it } from "vitest";
import { HandlerGroups, SharedFeeds, type SharedFeed } from "./shared-feeds.js";

/** A feed whose start can be made to fail, counting its closes. */
function feeds(fail = false) {
  const started: string[] = [];
  let closes = 0;
  const shared = new SharedFeeds<SharedFeed & { users: Set<string> }>((key) => {
    started.push(key);
    return { users: new Set(), ready: fail ? Promise.reject(new Error("watch refused")) : Promise.resolve(), close: async () => void closes++ };
  });
  return { shared, started, closes: () => closes };
}

describe("SharedFeeds", () => {
  it("starts one feed per key for all its users and closes it with the last", async () => {
    const f = feeds();
    const a = await f.shared.join("c1", (feed) => (feed.users.add("a"), () => feed.users.delete("a")));
    const b = await f.shared.join("c1", (feed) => (feed.users.add("b"), () => feed.users.delete("b")));
    await f.shared.join("c2", () => () => {});
    expect(f.started).toEqual(["c1", "c2"]);
    await a.close();
    await a.close(); // a second close is nothing
    expect(f.closes()).toBe(0);
    await b.close();
    expect(f.closes()).toBe(1);
    expect(f.shared.size).toBe(1);
    // The next user of c1 starts a new feed.
    await f.shared.join("c1", () => () => {});
    expect(f.started).toEqual(["c1", "c2", "c1"]);
  });

  it("drops a feed that failed to start, so the next user starts afresh", async () => {
    const f = feeds(true);
    let detached = 0;
    await expect(f.shared.join("c1", () => () => void detached++)).rejects.toThrow("watch refused");
    expect(detached).toBe(1);
    expect(f.shared.size).toBe(0);
    await expect(f.shared.join("c1", () => () => {})).rejects.toThrow("watch refused");
    expect(f.started).toEqual(["c1", "c1"]);
  });
});

describe("HandlerGroups", () => {
  it("groups by key, removes each handler once, and drops empty groups", () => {
    const g = new HandlerGroups<string>();
    const offA = g.add("i1", "a");
    g.add("i1", "b");
    g.add("i2", "c");
    expect([...g.of("i1")]).toEqual(["a", "b"]);
    expect([...g.all()]).toEqual(["a", "b", "c"]);
    offA();
    offA();
    expect([...g.of("i1")]).toEqual(["b"]);
    expect([...g.of("nobody")]).toEqual([]);
  });
});
