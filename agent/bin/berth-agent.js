#!/usr/bin/env node
// The `berth-agent` command; the code is in src/main.ts (built to dist/main.js).
import "../dist/main.js";
