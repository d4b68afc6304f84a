import { describe, expect, it } from "vitest";
import { staleEntries, staleSocketAgeMs, type DirEntryFacts } from "./backend-socket.js";

const old = staleSocketAgeMs + 1;
const live = new Set(["4026531840"]);

describe("staleEntries", () => {
  it.each<[string, DirEntryFacts[], string[]]>([
    // a killed agent's socket, old enough and unanswered, goes
    ["dead old socket", [{ name: "0a1b2c3d.sock", ageMs: old, answers: false }], ["0a1b2c3d.sock"]],
    // a socket that answers belongs to a running agent
    ["live socket", [{ name: "0a1b2c3d.sock", ageMs: old, answers: true }], []],
    // a young socket may be between bind and listen: left alone even unanswered
    ["young socket", [{ name: "0a1b2c3d.sock", ageMs: 10, answers: false }], []],
    // a young socket is not even probed
    ["young socket, not probed", [{ name: "0a1b2c3d.sock", ageMs: 10 }], []],
    // the marker of a namespace something still holds stays
    ["live namespace marker", [{ name: "address-added-4026531840", ageMs: old }], []],
    // the marker of a namespace gone goes, whatever its age
    ["gone namespace marker", [{ name: "address-added-4026532999", ageMs: 5 }], ["address-added-4026532999"]],
    // anything else in the directory is not the sweep's
    ["other files", [{ name: "notes.txt", ageMs: old }, { name: "address-added-x", ageMs: old }], []],
  ])("%s", (_, entries, expected) => {
    expect(staleEntries(entries, live)).toEqual(expected);
  });
});
