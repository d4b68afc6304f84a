// The agent's process entry (bin/berth-agent.js imports it). The agent's V8 flags come first,
// and the rest of the agent is imported only after them: V8 applies some flags only to code
// parsed after they are set (--no-opt, if it is ever wanted), and a static import would parse
// the whole agent first.
import "./v8-settings.js";
await import("./cli.js");
