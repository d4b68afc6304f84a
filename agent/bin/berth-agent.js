#!/usr/bin/env node
// The `berth-agent` command: src/main.ts (built to dist/main.js) sets the agent's V8 flags, then loads src/cli.ts.
import "../dist/main.js";
