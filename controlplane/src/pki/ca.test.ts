import { randomBytes, generateKeyPairSync, X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createCa, openCa, openKey, pemDigest, sealKey } from "./ca.js";
import { agentSubjectOf, issueAgentCertificate, issuedBy, issueServerIdentity, serverName } from "./issue.js";

describe("cluster CA", () => {
  it("seals and opens; a wrong key or bad length is refused", () => {
    const key = randomBytes(32);
    const sealed = sealKey(Buffer.from("secret"), key);
    expect(openKey(sealed, key).toString()).toBe("secret");
    expect(sealed).not.toContain("secret");
    expect(() => openKey(sealed, randomBytes(32))).toThrow(/does not match/);
    expect(() => sealKey(Buffer.from("x"), randomBytes(16))).toThrow(/32 bytes/);
  });

  it("issues agent and server certificates that chain to it", async () => {
    const key = randomBytes(32);
    const stored = await createCa(key);
    const ca = await openCa(stored, key);
    expect(ca.digest).toBe(pemDigest(stored.certPem));
    expect(new X509Certificate(stored.certPem).ca).toBe(true);
    const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const pem = await issueAgentCertificate(ca, publicKey.export({ type: "spki", format: "pem" }).toString(), { cluster: "default", instanceId: "abc-123" });
    expect(issuedBy(pem, stored.certPem)).toBe(true);
    const subject = agentSubjectOf(new X509Certificate(pem).raw);
    expect(subject).toMatchObject({ cluster: "default", instanceId: "abc-123" });
    expect(subject.notAfter - Date.now()).toBeGreaterThan(29 * 86_400_000);
    const server = await issueServerIdentity(ca);
    expect(new X509Certificate(server.certPem).checkHost(serverName)).toBe(serverName);
    const other = await openCa(await createCa(key), key);
    expect(issuedBy(pem, other.certPem)).toBe(false);
    await expect(openCa(stored, randomBytes(32))).rejects.toThrow(/does not match/);
  });
});
