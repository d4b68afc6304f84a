import { useState } from "preact/hooks";
import { clearCredentials, loadCredentials, saveCredentials } from "../api/client";

/**
 * Asks for an access key and secret when the API wants signed calls. They are kept in this
 * browser session only (sessionStorage, never in a URL) and sign every call from then on.
 */
export function SignIn({ reason }: { reason?: string }) {
  const had = loadCredentials();
  const [accessKeyId, setKey] = useState(had?.accessKeyId ?? "");
  const [secretAccessKey, setSecret] = useState("");
  const [region, setRegion] = useState(had?.region ?? "us-east-1");
  const submit = (e: Event) => {
    e.preventDefault();
    saveCredentials({ accessKeyId: accessKeyId.trim(), secretAccessKey: secretAccessKey.trim(), region: region.trim() });
    location.reload();
  };
  return (
    <section class="notice sign-in" aria-labelledby="sign-in-title">
      <h2 id="sign-in-title">{had ? "These keys were refused" : "This berth wants signed requests"}</h2>
      <p>
        {reason ? `The API answered: ${reason}. ` : ""}Give an access key configured on the control plane. It stays in this browser tab's session and
        signs each request (SigV4); it is never put in a URL.
      </p>
      <form onSubmit={submit}>
        <label>
          Access key ID
          <input name="accessKeyId" autoComplete="username" required value={accessKeyId} onInput={(e) => setKey(e.currentTarget.value)} />
        </label>
        <label>
          Secret access key
          <input name="secretAccessKey" type="password" autoComplete="current-password" required value={secretAccessKey} onInput={(e) => setSecret(e.currentTarget.value)} />
        </label>
        <label>
          Region
          <input name="region" required value={region} onInput={(e) => setRegion(e.currentTarget.value)} />
        </label>
        <div class="actions">
          <button type="submit" class="primary">
            Sign requests
          </button>
          {had && (
            <button
              type="button"
              onClick={() => {
                clearCredentials();
                location.reload();
              }}
            >
              Forget keys
            </button>
          )}
        </div>
      </form>
    </section>
  );
}
