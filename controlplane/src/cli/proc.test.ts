import { describe, expect, it } from "vitest";
import { listeningInodes, statFields, statState } from "./proc.js";

// Lines as the kernel writes them (trailing fields shortened).
const tcp = [
  "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
  "   0: 0100007F:094B 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 150177 1 0000 100 0 0 10 0",
  "   1: 0100007F:094B 0100007F:D2F0 01 00000000:00000000 00:00000000 00000000  1000        0 150200 1 0000 20 4 30 10 -1",
  "   2: 00000000:094C 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 150300 1 0000 100 0 0 10 0",
].join("\n");
const tcp6 = [
  "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
  "   0: 00000000000000000000000000000000:094B 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 160001 1 0000 100 0 0 10 0",
].join("\n");

describe("listeningInodes", () => {
  it.each<[string, string, number, string[]]>([
    // 2379 = 0x094B: the listener, not the established connection on the same port.
    ["listener among connections", tcp, 2379, ["150177"]],
    // 2380 = 0x094C on 0.0.0.0.
    ["a wildcard listener", tcp, 2380, ["150300"]],
    // Nothing listens on 2381.
    ["no listener", tcp, 2381, []],
    // IPv6 addresses hold no colon before the port either.
    ["an IPv6 listener", tcp6, 2379, ["160001"]],
    // An unreadable table reads as empty.
    ["empty table", "", 2379, []],
  ])("%s", (_name, table, port, want) => {
    expect(listeningInodes(table, port)).toEqual(want);
  });
});

describe("statState", () => {
  it.each<[string, string, string]>([
    // A plain name.
    ["running", "42 (etcd) S 1 42 42 0 -1", "S"],
    // A zombie.
    ["zombie", "42 (etcd) Z 1 42 42 0 -1", "Z"],
    // A name with spaces and a closing parenthesis: the state follows the last one.
    ["odd name", "42 (a) b (c)) R 1 42", "R"],
  ])("%s", (_name, stat, want) => {
    expect(statState(stat)).toBe(want);
  });
});

describe("statFields", () => {
  const stat = "4242 (etcd (x)) S 77 4242 4242 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 12 0 123456 0 0";
  it("reads the parent pid and the start time after the last parenthesis", () => {
    expect(statFields(stat)).toEqual({ ppid: 77, startTime: "123456" });
  });
});
