// The agent's process entry (bin/berth-agent.js imports it). The agent's V8 flags come first,
// and the rest of the agent is imported only after them: V8 applies some of them (--no-opt) only
// to code parsed after they are set, and a static import would parse the whole agent first.
import "./v8-settings.js";
await import("./cli.js");
